// The Android half of the `phone` plugin, built into the app by the generated Gradle project
// (tauri-build links it through the crate's `links` key).
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "org.visitdiary.phone"
    compileSdk = 36

    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_1_8
        targetCompatibility = JavaVersion.VERSION_1_8
    }
}

kotlin {
    compilerOptions {
        jvmTarget = JvmTarget.JVM_1_8
    }
}

dependencies {
    implementation("androidx.core:core-ktx:1.9.0")
    implementation("androidx.appcompat:appcompat:1.6.0")
    // The barcode scanner's camera (the same CameraX as tauri-plugin-barcode-scanner 2.5), for
    // its torch: Android refuses the torch to anyone but the camera's holder while it scans.
    implementation("androidx.camera:camera-core:1.5.1")
    implementation(project(":tauri-android"))
}
