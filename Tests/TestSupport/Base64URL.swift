import Foundation

/// `text` in base64url without padding (RFC 4648 §5), as the probe scripts' `raw=` parameter expects.
public func base64URL(_ text: String) -> String {
    Data(text.utf8).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}
