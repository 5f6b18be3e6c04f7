// A file upload: the form shows the upload's progress (a small script using
// XMLHttpRequest's upload events; without JavaScript the form posts as usual), and the
// script saves the file outside the served tree and reports what arrived.
import CGI
import Glibc

let uploads = (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") + "/swift-cgi-uploads"

let uploadForm = """
    <form id="upload" method="post" enctype="multipart/form-data">
    <p><input type="file" name="file" required> <button type="submit">Upload</button></p>
    <p><progress id="progress" max="1" value="0" hidden></progress> <span id="percent"></span></p>
    </form>
    <script>
    const form = document.getElementById("upload");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const progress = document.getElementById("progress");
      const percent = document.getElementById("percent");
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.responseType = "document";
      request.upload.onprogress = (step) => {
        if (!step.lengthComputable) return;
        progress.hidden = false;
        progress.max = step.total;
        progress.value = step.loaded;
        percent.textContent = Math.round(100 * step.loaded / step.total) + " %";
      };
      request.onload = () => {
        document.title = request.response.title;
        document.body.replaceWith(request.response.body);
      };
      request.onerror = () => form.submit();
      request.send(new FormData(form));
    });
    </script>
    """

func page(_ title: String, _ content: String) -> Response {
    Response(
        body: """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><link rel="stylesheet" href="/style.css"><title>\(title)</title></head>
            <body>
            <h1>\(title)</h1>
            \(content)
            <p><a href="/">All examples</a></p>
            </body>
            </html>
            """)
}

// The checksum is computed while the file arrives, not by reading it again afterwards.
var options = FormOptions()
options.hashesUploads = true

CGI.run(options: options) { request in
    guard let file = request.form.file("file") else {
        return page("Upload a file", uploadForm)
    }
    let digest = try file.sha256().hexadecimal
    mkdir(uploads, 0o700)
    try file.move(to: "\(uploads)/\(digest)")
    return page(
        "Uploaded",
        """
        <table id="result">
        <tr><th>Name</th><td>\(HTML.escape(file.filename))</td></tr>
        <tr><th>Type</th><td>\(HTML.escape(file.contentType))</td></tr>
        <tr><th>Size</th><td>\(file.size) bytes</td></tr>
        <tr><th>SHA-256</th><td>\(digest)</td></tr>
        </table>
        <p>Saved as \(HTML.escape(uploads))/\(digest).</p>
        <p><a href="upload.swift">Upload another</a></p>
        """)
}
