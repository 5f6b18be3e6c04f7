/// Reads a `multipart/form-data` body (RFC 7578) into form fields.
struct MultipartFormReader {
    /// The request's Content-Type, parsed (its `boundary` parameter delimits the parts).
    let contentType: HeaderValue
    /// Limits and decoding options.
    let options: FormOptions

    /// Reads every part of `body`, in order.
    func readFields(from body: BodyStream) throws -> [FormField] {
        throw CGIError.malformed("multipart bodies are not supported yet")
    }
}
