from schemas.arrow import markdown

print(markdown())
