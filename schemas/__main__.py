"""`python -m schemas` prints the schema tables; `python -m schemas README.md` rewrites that file's schema section."""
import re
import sys

from schemas.arrow import markdown

if len(sys.argv) > 1:
    path = sys.argv[1]
    text = open(path, encoding="utf-8").read()
    new = re.sub(r"(<!-- schema:start -->\n).*?(\n<!-- schema:end -->)", lambda m: m.group(1) + markdown().strip() + m.group(2),
                 text, flags=re.S)
    open(path, "w", encoding="utf-8").write(new)
else:
    print(markdown())
