<?php
// The PHP side of FastCGIPassTests: cgi-server passes this file to PHP-FPM (--fastcgi-pass).
// ?do= picks what it does; the default describes the request as JSON.
while (ob_get_level() > 0) {
    ob_end_flush();
}
$do = $_GET['do'] ?? 'describe';
switch ($do) {
    case 'describe':
        header('Content-Type: application/json');
        $server = [];
        foreach (['REQUEST_METHOD', 'SCRIPT_FILENAME', 'SCRIPT_NAME', 'DOCUMENT_ROOT', 'REQUEST_URI', 'QUERY_STRING',
                  'CONTENT_TYPE', 'CONTENT_LENGTH', 'SERVER_SOFTWARE', 'GATEWAY_INTERFACE', 'HTTP_X_PROBE',
                  'REMOTE_ADDR', 'SERVER_PROTOCOL'] as $name) {
            $server[$name] = $_SERVER[$name] ?? null;
        }
        echo json_encode(['server' => $server, 'get' => $_GET, 'post' => $_POST, 'pid' => getmypid()]);
        break;
    case 'upload':
        header('Content-Type: text/plain');
        $body = file_get_contents('php://input');
        echo strlen($body), ' ', sha1($body), "\n";
        break;
    case 'redirect':
        header('Location: /elsewhere.html');
        break;
    case 'notfound':
        header('Status: 404 Not Found');
        header('Content-Type: text/plain');
        echo "no such thing\n";
        break;
    case 'stream':
        // The first line goes out, then the script waits (at most 10 s) for the test to say it
        // has seen it: only a response that streams can pass.
        header('Content-Type: text/plain');
        echo "first\n";
        flush();
        $marker = $_GET['marker'];
        for ($i = 0; $i < 200 && !file_exists($marker); $i++) {
            usleep(50000);
        }
        echo file_exists($marker) ? "second\n" : "timed out\n";
        break;
    case 'log':
        error_log('fixture-log-line ' . $_GET['id']);
        header('Content-Type: text/plain');
        echo "logged\n";
        break;
    case 'sleep':
        header('Content-Type: text/plain');
        sleep((int)$_GET['seconds']);
        echo "awake\n";
        break;
}
