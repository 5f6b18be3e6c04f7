<?php
// PHP-FPM's hello for Benchmarks/fastcgi.sh; ?echo answers the request body.
header('Content-Type: text/plain; charset=utf-8');
if (isset($_GET['echo'])) {
    echo file_get_contents('php://input');
} else {
    echo "Hello, world!\n";
}
