#!/usr/bin/env python3
"""tui-screen-check.py - one checker for every wizard screen, over the text
of `tmux capture-pane -p`.  It knows nothing about any particular screen;
it holds each capture to the layout rules of the wizard:

  edge      no line is cut mid-word at the right edge: text that reaches
            the last three columns must not end inside a word (a cut value
            ends in the ellipsis mark instead; wrapped text never reaches
            that far)
  column    no column is cut inside a parenthesis: an opening "(" whose
            ")" never comes before a gap of two or more spaces means a
            column ran into the next one
  lists     every list that hides rows shows a marker: the session log's
            last "layout: list NAME shows R of N rows" lines for the step
            on screen say which lists hide rows, and then "more ^" or
            "more v" must be on the screen

usage: tui-screen-check.py --width W [--log SESSION.LOG] SCREEN [WHAT]
Prints one line per finding (with the line number and the line) and exits
1 when there is any, 0 when the screen keeps every rule.
"""
import re
import sys

ELLIPSIS = "\u2026"


def word_char(c):
    return c.isalnum() or c == "_"


def cut_at_edge(text, width):
    """Whether text (a row of `width` columns) ends inside a word at its edge."""
    text = text.rstrip()
    if len(text) - 1 < width - 3 or not text or text[-1] == ELLIPSIS:
        return False
    return len(text) >= 2 and word_char(text[-1]) and word_char(text[-2])


BOX_SIDE = "\u2502"    # the vertical line of a box (help, a question)


def check_edges(lines, width):
    found = []
    for n, line in enumerate(lines, 1):
        sides = [i for i, c in enumerate(line) if c == BOX_SIDE]
        if len(sides) >= 2:
            # A box over the screen: its inside is held to the rule at its
            # own edge; what shows beside it is the screen underneath.
            inner = line[sides[0] + 1:sides[-1]]
            # (a box keeps one column of padding inside each side)
            if cut_at_edge(inner, len(inner) + 1):
                found.append((n, "cut mid-word at the edge of a box", line))
            continue
        if cut_at_edge(line, width):
            found.append((n, "cut mid-word at the right edge", line))
    return found


def column_cut(text):
    """The cut part when a "(" has no ")" before the first gap of two or
    more spaces that more text follows (a column that ran into the next);
    a value cut on purpose ends in the ellipsis mark before its gap."""
    for i, c in enumerate(text):
        if c != "(":
            continue
        gap = text.find("  ", i)
        if gap < 0 or text[gap:].strip() == "":
            continue
        if ")" in text[i:gap] or text[gap - 1] == ELLIPSIS:
            continue
        return text[i:gap + 2] + text[gap:].lstrip()[:1]
    return None


def check_columns(lines):
    found = []
    for n, line in enumerate(lines, 1):
        sides = [i for i, c in enumerate(line) if c == BOX_SIDE]
        text = line[sides[0] + 1:sides[-1]] if len(sides) >= 2 else line
        cut = column_cut(text.rstrip())
        if cut is not None:
            found.append((n, "a column cut inside a parenthesis (%r)" % cut, line))
    return found


LIST_LINE = re.compile(r"layout: list (\S+) shows (\d+) of (\d+) rows")


def lists_hiding(log_path):
    """The lists of the step shown last, by name: (rows shown, rows)."""
    lists = {}
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if " step: " in line:
                    lists = {}
                m = LIST_LINE.search(line)
                if m:
                    lists[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    except OSError as e:
        sys.exit("tui-screen-check: cannot read the log %s: %s" % (log_path, e))
    return {k: v for k, v in lists.items() if v[0] < v[1]}


def check_lists(lines, log_path):
    hiding = lists_hiding(log_path)
    if not hiding:
        return []
    # A box (help, a question) over the screen may cover the marks.
    if any(line.count(BOX_SIDE) >= 2 for line in lines):
        return []
    screen = "\n".join(lines)
    if "more v" in screen or "more ^" in screen:
        return []
    return [(0, "list %s shows %d of %d rows and no \"more\" marker" % (name, r, n), "")
            for name, (r, n) in sorted(hiding.items())]


def main(argv):
    width = None
    log = None
    args = []
    i = 1
    while i < len(argv):
        if argv[i] == "--width" and i + 1 < len(argv):
            width = int(argv[i + 1])
            i += 2
        elif argv[i] == "--log" and i + 1 < len(argv):
            log = argv[i + 1]
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if width is None or not args:
        sys.exit(__doc__.split("\n\n")[-2])
    what = args[1] if len(args) > 1 else args[0]
    with open(args[0], encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    found = check_edges(lines, width) + check_columns(lines)
    if log is not None:
        found += check_lists(lines, log)
    for n, why, line in found:
        print("%s: line %d: %s: %s" % (what, n, why, line.rstrip()))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
