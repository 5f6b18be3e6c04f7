import CGI

/// The `CGIError` kind `body` throws, nil when it returns, or a description of another error.
func errorKind(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as CGIError {
        return error.kind
    } catch {
        return "not a CGIError: \(error)"
    }
}
