// The Android half of the `phone` plugin (crates/phone/src/lib.rs says what each command is for).
package org.visitdiary.phone

import android.app.Activity
import android.content.ActivityNotFoundException
import android.content.ClipData
import android.content.Intent
import android.net.Uri
import android.view.WindowManager
import androidx.camera.core.Camera
import androidx.core.content.FileProvider
import app.tauri.annotation.Command
import app.tauri.annotation.InvokeArg
import app.tauri.annotation.TauriPlugin
import app.tauri.plugin.Invoke
import app.tauri.plugin.JSObject
import app.tauri.plugin.Plugin
import java.io.File

/** The outbox's FileProvider (AndroidManifest.xml), a class of its own. */
class OutboxProvider : FileProvider()

@InvokeArg
class SecureArgs {
    var on: Boolean = false
}

@InvokeArg
class TorchArgs {
    var on: Boolean = false
}

@InvokeArg
class DialArgs {
    lateinit var number: String
}

@InvokeArg
class ShareArgs {
    lateinit var path: String
    var mime: String = "application/octet-stream"
    var title: String = ""
}

@TauriPlugin
class PhonePlugin(private val activity: Activity) : Plugin(activity) {

    /** FLAG_SECURE on the app's window: no screenshots, no recording, a blank recent-apps card. */
    @Command
    fun setSecure(invoke: Invoke) {
        val args = invoke.parseArgs(SecureArgs::class.java)
        activity.runOnUiThread {
            if (args.on) {
                activity.window.addFlags(WindowManager.LayoutParams.FLAG_SECURE)
            } else {
                activity.window.clearFlags(WindowManager.LayoutParams.FLAG_SECURE)
            }
            invoke.resolve()
        }
    }

    /**
     * The torch, through the camera the barcode scanner holds (Android refuses
     * `CameraManager.setTorchMode` to anyone else while it is bound). Rejects with `not ready`
     * while the scanner's camera is still being bound (just after the scan starts), with `no
     * torch` when the camera has no flash.
     */
    @Command
    fun torch(invoke: Invoke) {
        val args = invoke.parseArgs(TorchArgs::class.java)
        activity.runOnUiThread {
            val camera = scannerCamera()
            if (camera == null) {
                invoke.reject("not ready")
                return@runOnUiThread
            }
            if (!camera.cameraInfo.hasFlashUnit()) {
                invoke.reject("no torch")
                return@runOnUiThread
            }
            camera.cameraControl.enableTorch(args.on)
            val result = JSObject()
            result.put("on", args.on)
            invoke.resolve(result)
        }
    }

    /**
     * The dialler with `number` filled in (its digits and a leading +, nothing else); the citizen
     * presses call. Rejects with `no dialler` where there is none (a tablet without a phone).
     */
    @Command
    fun dial(invoke: Invoke) {
        val args = invoke.parseArgs(DialArgs::class.java)
        val number = args.number.filterIndexed { i, c -> c in '0'..'9' || (i == 0 && c == '+') }
        if (number.trimStart('+').isEmpty()) {
            invoke.reject("not a phone number")
            return
        }
        activity.runOnUiThread {
            try {
                activity.startActivity(Intent(Intent.ACTION_DIAL, Uri.parse("tel:$number")))
                invoke.resolve()
            } catch (e: ActivityNotFoundException) {
                invoke.reject("no dialler")
            }
        }
    }

    private fun scannerCamera(): Camera? =
        try {
            Class.forName("app.tauri.barcodescanner.BarcodeScannerPlugin")
                .getMethod("getActiveCamera")
                .invoke(null) as? Camera
        } catch (e: Exception) {
            null
        }

    /**
     * The system share sheet for one file of the app's cache/outbox folder, lent read-only to
     * the app the citizen picks. Called by the Rust side only (not granted to the webview).
     */
    @Command
    fun shareFile(invoke: Invoke) {
        val args = invoke.parseArgs(ShareArgs::class.java)
        val outbox = File(activity.cacheDir, "outbox").canonicalFile
        val file = File(args.path).canonicalFile
        if (file.parentFile != outbox || !file.isFile) {
            invoke.reject("not a file of the outbox")
            return
        }
        activity.runOnUiThread {
            try {
                val uri = FileProvider.getUriForFile(activity, activity.packageName + ".outbox", file)
                val send = Intent(Intent.ACTION_SEND).apply {
                    type = args.mime
                    putExtra(Intent.EXTRA_STREAM, uri)
                    // The chooser passes the grant on only through ClipData.
                    clipData = ClipData.newRawUri(file.name, uri)
                    addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
                }
                activity.startActivity(Intent.createChooser(send, args.title))
                invoke.resolve()
            } catch (e: Exception) {
                invoke.reject(e.message ?: "share sheet unavailable")
            }
        }
    }
}
