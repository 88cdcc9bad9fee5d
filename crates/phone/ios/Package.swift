// swift-tools-version:5.5
// The iOS half of the `phone` plugin, built into the app by the generated Xcode project.

import PackageDescription

let package = Package(
  name: "tauri-plugin-phone",
  platforms: [
    .iOS(.v15),
  ],
  products: [
    .library(
      name: "tauri-plugin-phone",
      type: .static,
      targets: ["tauri-plugin-phone"])
  ],
  dependencies: [
    .package(name: "Tauri", path: "../.tauri/tauri-api")
  ],
  targets: [
    .target(
      name: "tauri-plugin-phone",
      dependencies: [
        .byName(name: "Tauri")
      ],
      path: "Sources")
  ]
)
