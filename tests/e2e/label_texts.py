"""Staff-written texts that look like markdown, shared by the label test and its page."""

# Labels people really write: none of these needs an escape, so screen readers hear them as written.
CLEAN = [
    "Trunk width at 1.3 m height (cm)",
    "1. Your name",
    "# of trees",
    "- or + (sign)",
    "Où se trouve le nid-de-poule ?",
    "snake_case_name",
    "Price: 5 $ or 6 €, about ~5 km",
    "10:30 to 11:45",
    "<b>bold</b> & < 3",
    "C:\\path\\to",
    "Question?! #1 +32 4-5 a | b",
]
# Texts markdown would change: escaped, so they show as typed.
MARKDOWN = [
    "Where is it? **exactly** _please_ [map]",
    "~a~ and ~~b~~ and `code`",
    "$x^2$ and $5",
    ":red[red] and :smile:",
    "&amp; &#64;",
    "---",
    "\\*not bold\\*",
    "[x](y) and ![i](pic.png)",
    "ends with a backslash \\",
]
TEXTS = CLEAN + MARKDOWN
