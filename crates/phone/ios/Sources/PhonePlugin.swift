// The iOS half of the `phone` plugin (crates/phone/src/lib.rs says what each command is for).
import AVFoundation
import Tauri
import UIKit
import WebKit

class SecureArgs: Decodable {
  let on: Bool
}

class TorchArgs: Decodable {
  let on: Bool
}

class DialArgs: Decodable {
  let number: String
}

class ShareArgs: Decodable {
  let path: String
  let mime: String?
  let title: String?
}

class PhonePlugin: Plugin {
  /// Whether the screen showing now must not appear in the app switcher.
  private var secure = false
  private var cover: UIView?

  @objc public override func load(webview: WKWebView) {
    keepDataOutOfBackups()
    let center = NotificationCenter.default
    center.addObserver(
      self, selector: #selector(willResignActive),
      name: UIApplication.willResignActiveNotification, object: nil)
    center.addObserver(
      self, selector: #selector(didBecomeActive),
      name: UIApplication.didBecomeActiveNotification, object: nil)
  }

  /// The diary and everything else the app keeps (in Application Support, where Tauri's data
  /// folder is) stay on this phone: out of iCloud and computer backups and of a move to a new
  /// phone, as on Android, and as the diary's key (a Keychain item for this device only).
  private func keepDataOutOfBackups() {
    let files = FileManager.default
    guard var folder = files.urls(for: .applicationSupportDirectory, in: .userDomainMask).first
    else { return }
    do {
      try files.createDirectory(at: folder, withIntermediateDirectories: true)
      var values = URLResourceValues()
      values.isExcludedFromBackup = true
      try folder.setResourceValues(values)
    } catch {
      NSLog("Visit Diary: could not keep the data folder out of backups: \(error)")
    }
  }

  /// iOS takes the app switcher's snapshot after this: the cover must be up by then.
  @objc private func willResignActive() {
    guard secure, cover == nil, let window = keyWindow() else { return }
    let view = UIView(frame: window.bounds)
    view.autoresizingMask = [.flexibleWidth, .flexibleHeight]
    // The app's brand green, and its name: what the header shows.
    view.backgroundColor = UIColor(red: 10 / 255, green: 92 / 255, blue: 85 / 255, alpha: 1)  // #0a5c55
    let label = UILabel()
    label.text = Bundle.main.object(forInfoDictionaryKey: "CFBundleDisplayName") as? String
    label.textColor = .white
    label.font = UIFont.preferredFont(forTextStyle: .title2)
    label.translatesAutoresizingMaskIntoConstraints = false
    view.addSubview(label)
    NSLayoutConstraint.activate([
      label.centerXAnchor.constraint(equalTo: view.centerXAnchor),
      label.centerYAnchor.constraint(equalTo: view.centerYAnchor),
    ])
    window.addSubview(view)
    cover = view
  }

  @objc private func didBecomeActive() {
    cover?.removeFromSuperview()
    cover = nil
  }

  private func keyWindow() -> UIWindow? {
    UIApplication.shared.connectedScenes
      .compactMap { $0 as? UIWindowScene }
      .flatMap { $0.windows }
      .first { $0.isKeyWindow }
  }

  @objc public func setSecure(_ invoke: Invoke) throws {
    let args = try invoke.parseArgs(SecureArgs.self)
    DispatchQueue.main.async {
      self.secure = args.on
      invoke.resolve()
    }
  }

  /// The torch of the default back camera: the one the barcode scanner runs (it picks the back
  /// wide-angle camera). iOS would switch it on without a scan too; the UI asks only while one runs.
  @objc public func torch(_ invoke: Invoke) throws {
    let args = try invoke.parseArgs(TorchArgs.self)
    guard let device = AVCaptureDevice.default(for: .video), device.hasTorch else {
      invoke.reject("no torch")
      return
    }
    do {
      try device.lockForConfiguration()
      device.torchMode = args.on ? .on : .off
      device.unlockForConfiguration()
      invoke.resolve(["on": args.on])
    } catch {
      invoke.reject(error.localizedDescription)
    }
  }

  /// A call to `number` (its digits and a leading +, nothing else), which iOS asks the citizen to
  /// confirm. Rejects with `no dialler` where the device cannot call (an iPad without a paired
  /// iPhone); an iPhone's Cancel on the question is the citizen's answer, not a failure.
  @objc public func dial(_ invoke: Invoke) throws {
    let args = try invoke.parseArgs(DialArgs.self)
    var number = String(args.number.filter { ("0"..."9").contains($0) })
    if args.number.hasPrefix("+") { number = "+" + number }
    guard number.contains(where: { $0 != "+" }), let url = URL(string: "tel:\(number)") else {
      invoke.reject("not a phone number")
      return
    }
    DispatchQueue.main.async {
      UIApplication.shared.open(url, options: [:]) { opened in
        if opened || UIDevice.current.userInterfaceIdiom == .phone {
          invoke.resolve()
        } else {
          invoke.reject("no dialler")
        }
      }
    }
  }

  /// The share sheet for one file of the app's outbox folder. Called by the Rust side only.
  @objc public func shareFile(_ invoke: Invoke) throws {
    let args = try invoke.parseArgs(ShareArgs.self)
    let url = URL(fileURLWithPath: args.path).resolvingSymlinksInPath()
    // Tauri's cache folder on iOS: Library/Caches/<bundle identifier>; the outbox is in it.
    let caches = FileManager.default.urls(for: .cachesDirectory, in: .userDomainMask).first
    let outbox = caches?
      .appendingPathComponent(Bundle.main.bundleIdentifier ?? "")
      .appendingPathComponent("outbox")
      .resolvingSymlinksInPath()
    guard let outbox = outbox,
      url.deletingLastPathComponent().path == outbox.path,
      FileManager.default.fileExists(atPath: url.path)
    else {
      invoke.reject("not a file of the outbox")
      return
    }
    DispatchQueue.main.async {
      // Presented from whatever is on top (an alert, another sheet), or it would not show.
      guard var top = self.manager.viewController else {
        invoke.reject("share sheet unavailable")
        return
      }
      while let presented = top.presentedViewController { top = presented }
      let sheet = UIActivityViewController(activityItems: [url], applicationActivities: nil)
      // iPads show the sheet as a popover, which needs an anchor.
      if let popover = sheet.popoverPresentationController {
        popover.sourceView = top.view
        popover.sourceRect = CGRect(
          x: top.view.bounds.midX, y: top.view.bounds.maxY, width: 0, height: 0)
        popover.permittedArrowDirections = []
      }
      top.present(sheet, animated: true) {
        invoke.resolve()
      }
    }
  }
}

@_cdecl("init_plugin_phone")
public func initPlugin() -> Plugin {
  return PhonePlugin()
}
