"""Checks that docs/deploy.md quotes the files CI runs: every block that follows a line
`<!-- file: PATH -->` must be PATH's text exactly, and every file in docs/deploy/ must be quoted.
Prints the differences and exits 1 when they disagree. Run from the package root."""
import difflib
import pathlib
import re
import sys

document = pathlib.Path("docs/deploy.md").read_text()
quoted = re.findall(r"<!-- file: (\S+) -->\n```[a-z]*\n(.*?)```\n", document, re.S)
problems = []
for path, text in quoted:
    file = pathlib.Path(path)
    if not file.is_file():
        problems.append(f"docs/deploy.md quotes {path}, which does not exist")
    elif file.read_text() != text:
        diff = difflib.unified_diff(file.read_text().splitlines(), text.splitlines(), path, "docs/deploy.md", lineterm="")
        problems.append("\n".join(diff))
for file in sorted(pathlib.Path("docs/deploy").iterdir()):
    if str(file) not in {path for path, _ in quoted}:
        problems.append(f"{file} is not quoted in docs/deploy.md")
print("\n".join(problems))
sys.exit(1 if problems else 0)
