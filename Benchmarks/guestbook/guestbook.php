<?php
// The guestbook's entries page (20 newest visible entries) in PHP with PDO SQLite, for
// Benchmarks/guestbook.sh: the same query, the same escaping, about the same HTML.
$db = new PDO('sqlite:' . getenv('GUESTBOOK_DB'), null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$db->exec('PRAGMA busy_timeout = 10000');
$page = max(1, intval($_GET['page'] ?? 1));
$query = $db->prepare('SELECT * FROM entry WHERE hidden = 0 ORDER BY id DESC LIMIT ? OFFSET ?');
$query->execute([21, ($page - 1) * 20]);
$rows = $query->fetchAll(PDO::FETCH_ASSOC);
$e = fn($text) => htmlspecialchars($text, ENT_QUOTES | ENT_HTML5, 'UTF-8');
header('Content-Type: text/html; charset=utf-8');
header('Cache-Control: no-store');
?>
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Guestbook</title><link rel="stylesheet" href="/style.css"></head>
<body>
<h1><a href="/guestbook.php">Guestbook</a></h1>
<form method="post" action="/guestbook.php" enctype="multipart/form-data" id="post-form">
<p><label>Name <input name="name" maxlength="80" value=""></label></p>
<p><label>Message <textarea name="message" rows="4" cols="60"></textarea></label></p>
<p><button type="submit">Sign the guestbook</button></p>
</form>
<section id="entries">
<?php foreach (array_slice($rows, 0, 20) as $row): ?>
<article class="entry" id="entry-<?= $row['id'] ?>">
<h2><?= $e($row['name']) ?></h2>
<p class="date"><?= gmdate('D, d M Y H:i:s', $row['createdAt']) ?> GMT</p>
<p class="message"><?= $e($row['message']) ?></p>
</article>
<?php endforeach; ?>
</section>
<?php if (count($rows) > 20): ?><p class="pages"><a href="?page=<?= $page + 1 ?>" rel="next">Older entries</a></p><?php endif; ?>
</body>
</html>
