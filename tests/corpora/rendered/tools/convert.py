"""Regenerate the documents of tests/corpora/rendered from their upstream sources.

Not run by the tests: it documents (and repeats) how each ``doc.md`` + ``refs.bib`` was
made.  Each source is read from a bare git snapshot at a pinned commit (``--mirror DIR``
holds ``owner+name/repo``), its LaTeX body is converted to pandoc Markdown (citations
become ``[@key]`` / ``@key``), and its .bib is cut down to the entries the document cites,
each entry copied verbatim.

The LaTeX is touched only where pandoc cannot express what the author wrote:

* text-bearing house macros of the publisher (``\\hi``, ``\\textstyleTermes``, boxes) are
  defined as plain emphasis / paragraphs, index and label macros are dropped;
* interlinear examples (``exe``/``xlist``), figures, tables and tikz pictures are removed;
* natbib ``\\citealt`` inside the author's own parentheses, "(\\citealt{a} : 27; see
  \\citealt{b})", becomes one bracketed citation "[@a, 27; see @b]", so each CSL style
  renders the cluster its own way instead of "((Saussure 1916) : 27)";
* ``\\citeyear`` (the year used as a word) and ``\\citeauthor`` (the name used as a word)
  become plain text taken from the .bib; ``\\citegen{k}`` becomes "Name's [-@k]";
* ``\\citet{a,b}`` becomes "@a and @b" (or "Name [-@a; -@b]" for one author).

Usage: python convert.py --mirror /work/.mirror
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

SOURCES = [
    {"name": "fr-kahane-gerdes-langue", "repo": "langsci/241", "commit": "2edfff3", "tex": "chapters/ch1-1.tex",
         "bib": "localbibliography.bib", "lang": "fr-FR"},
    {"name": "fr-kahane-gerdes-introduction", "repo": "langsci/241", "commit": "2edfff3", "tex": "chapters/introduction.tex",
         "bib": "localbibliography.bib", "lang": "fr-FR"},
    {"name": "en-guzman-analogy", "repo": "langsci/186", "commit": "ac5a6c5", "tex": "chapters/01-problems.tex",
         "bib": "localbibliography.bib", "lang": "en-US"},
    {"name": "en-vogt-grounding", "repo": "langsci/50", "commit": "bbec105", "tex": "introduction/introduction.tex",
         "bib": "paul.bib", "lang": "en-US"},
    {"name": "it-rovere-scrittura", "repo": "Alerovere/Scrittura_Scientifica", "commit": "edb095b", "tex": "V1_1/main.tex",
         "bib": "V1_1/rho.bib", "lang": "it-IT"},
]

STUBS = r"""
\newcommand{\is}[1]{}\newcommand{\il}[1]{}\newcommand{\isi}[1]{#1}\newcommand{\ili}[1]{#1}
\newcommand{\ia}[1]{}\newcommand{\aimention}[1]{}\newcommand{\hi}[1]{\emph{#1}}
\newcommand{\textstyleTermes}[1]{\emph{#1}}\newcommand{\notextstyleTermes}[1]{#1}
\newcommand{\terme}[1]{\emph{#1}}\newcommand{\noterme}[1]{#1}\newcommand{\largerpage}[1][]{}
\newcommand{\encadref}[1]{l'encadré}\newcommand{\sectref}[1]{section \ref{#1}}
\newcommand{\chapref}[1]{chapter \ref{#1}}\newcommand{\figref}[1]{figure \ref{#1}}
\newcommand{\tabref}[1]{table \ref{#1}}\newcommand{\REF}[1]{}\newcommand{\gkchapter}[2]{#1}
\newcommand{\chevalier}[3][]{\paragraph{#2} #3}\newcommand{\globe}[3][]{\paragraph{#2} #3}
\newcommand{\loupe}[3][]{\paragraph{#2} #3}\newcommand{\maths}[3][]{\paragraph{#2} #3}
\newcommand{\exercice}[1]{#1}\newcommand{\corrig}[1]{#1}\newcommand{\exercices}[1]{\paragraph{Exercices} #1}
\newcommand{\corrections}[1]{\paragraph{Corrections} #1}\newcommand{\citations}[1]{\paragraph{Citations originales} #1}
\newcommand{\lecturesadditionnelles}[1]{\paragraph{Lectures additionnelles} #1}\newcommand{\FurtherReading}[1]{#1}
\newcommand{\textstylePhono}[1]{#1}\newcommand{\textstylest}[1]{#1}\newcommand{\textstyleTermesapprof}[1]{\emph{#1}}
\newcommand{\textstyleTermesapprofondissement}[1]{\emph{#1}}\newcommand{\notextstyleTermesapprof}[1]{#1}
\newcommand{\notextstyleTermesapprofondissement}[1]{#1}\newcommand{\phraseme}[1]{#1}\newcommand{\gkcaption}[1]{#1}
\newcommand{\chapfuturef}[1]{chapitre}\newcommand{\CryingSmiley}{}
\newcommand{\lecture}[3][]{\paragraph{#2} #3}\newcommand{\attention}[3][]{\paragraph{#2} #3}
\newcommand{\Definition}[2]{\emph{#1} #2}\newcommand{\HappySmiley}{}\newcommand{\SadSmiley}{}
\newcommand{\lsptoprule}{}\newcommand{\lspbottomrule}{}\newcommand{\z}{}\newcommand{\ea}{}
\newcommand{\textsmaller}[1]{#1}\newcommand{\orcid}[1]{}\newcommand{\affiliation}[1]{}
"""

DROP_ENVS = ("exe", "xlist", "figure", "table", "tikzpicture", "forest", "tabular", "tabularx", "itemize*",
             "center", "xltabular", "longtable")


def git_show(mirror: Path, repo: str, commit: str, path: str) -> str:
    d = mirror / repo.replace("/", "+") / "repo"
    return subprocess.run(["git", f"--git-dir={d}", "show", f"{commit}:{path}"], check=True,
                          capture_output=True).stdout.decode("utf-8")


def bib_entries(text: str) -> dict[str, str]:
    """key -> verbatim entry text (brace-matched)."""
    out = {}
    for m in re.finditer(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", text):
        if m.group(1).lower() in ("comment", "string", "preamble"):
            continue
        depth, i = 0, text.index("{", m.start())
        for j in range(i, len(text)):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    out.setdefault(m.group(2), text[m.start(): j + 1])
                    break
    return out


def field(entry: str, name: str) -> str:
    m = re.search(r"\b" + name + r"\s*=\s*", entry, re.IGNORECASE)
    if not m:
        return ""
    rest = entry[m.end():]
    if rest.startswith("{"):
        depth = 0
        for j, ch in enumerate(rest):
            depth += ch == "{"
            depth -= ch == "}"
            if depth == 0:
                return rest[1:j]
    return re.match(r'"?([^",}]*)', rest).group(1)


def surnames(entry: str) -> list[str]:
    names = field(entry, "author") or field(entry, "editor")
    out = []
    for n in re.split(r"\s+and\s+", names):
        n = n.strip()
        if n.startswith("{") and n.endswith("}"):
            out.append(n[1:-1])
        elif "," in n:
            out.append(n.split(",")[0].strip())
        else:
            parts = n.split()
            # "Ferdinand de Saussure": the von part stays with the family name
            k = next((i for i, p in enumerate(parts[:-1]) if p[:1].islower()), len(parts) - 1)
            out.append(" ".join(parts[k:]))
    return [re.sub(r"[{}]|\\[a-zA-Z]+\s*", "", s) for s in out]


def author_text(entry: str) -> str:
    s = surnames(entry)
    if len(s) == 1:
        return s[0]
    if len(s) == 2:
        return f"{s[0]} and {s[1]}"
    return f"{s[0]} et al."


def strip_env(text: str, env: str) -> str:
    pat = re.compile(r"\\begin\{" + re.escape(env) + r"\}.*?\\end\{" + re.escape(env) + r"\}", re.DOTALL)
    return pat.sub("\n", text)


def keys_of(arg: str) -> list[str]:
    return [k.strip() for k in arg.split(",") if k.strip()]


def preprocess(tex: str, bib: dict[str, str]) -> str:
    if "\\begin{document}" in tex:
        tex = tex.split("\\begin{document}", 1)[1].split("\\end{document}", 1)[0]
    tex = re.sub(r"(?<!\\)%.*", "", tex)
    tex = re.sub(r"\\vskip\s*[^\s]+|\\[vh]space\*?\{[^}]*\}|\\(?:medskip|bigskip|smallskip|newpage|clearpage|noindent)\b", " ", tex)
    for env in DROP_ENVS:
        tex = strip_env(tex, env)
    opt = r"(?:\[([^\]]*)\])?"

    def year(k):
        return field(bib.get(k, ""), "year") or field(bib.get(k, ""), "date")[:4] or "n.d."

    # "Buffier (\\citeyear{k} : 294)": the name written out, the year a citation
    tex = re.sub(r"\(\s*\\citeyear\*?\{([^}]*)\}\s*(?::\s*([^()]*?))?\s*\)",
                 lambda m: "\\citeyearpar" + (f"[{m.group(2)}]" if m.group(2) else "") + "{" + m.group(1) + "}", tex)
    tex = re.sub(r"\\citeyear\*?\{([^}]*)\}", lambda m: ", ".join(year(k) for k in keys_of(m.group(1))), tex)
    tex = re.sub(r"\\citeauthor\*?\{([^}]*)\}",
                 lambda m: " and ".join(author_text(bib.get(k, "")) for k in keys_of(m.group(1))[:1]), tex)
    tex = re.sub(r"\\citegen" + opt + r"\{([^}]*)\}",
                 lambda m: f"{author_text(bib.get(keys_of(m.group(2))[0], ''))}'s \\citeyearpar"
                 + (f"[{m.group(1)}]" if m.group(1) else "") + "{" + m.group(2) + "}", tex)

    def citet_many(m):
        cmd, _o1, keys = m.group(1), m.group(2), keys_of(m.group(3))
        if len(keys) == 1:
            return m.group(0)
        names = {author_text(bib.get(k, "")) for k in keys}
        if len(names) == 1:
            return f"{names.pop()} \\citeyearpar{{{','.join(keys)}}}"
        return " and ".join(f"\\{cmd}{{{k}}}" for k in keys)

    tex = re.sub(r"\\textcites\{([^}]*)\}\s*\{([^}]*)\}", r"\\textcite{\1} and \\textcite{\2}", tex)
    tex = re.sub(r"\\textcites(?=\{)", r"\\textcite", tex)
    tex = re.sub(r"\\(citet|textcite)" + opt + r"\{([^}]*)\}", citet_many, tex)
    # natbib \citealt / \citealp: mark them; the markdown pass folds them into the parentheses
    tex = re.sub(r"\\(?:citea(?:lt|lp)|cite)\*?(?![a-zA-Z])" + r"(\[[^\]]*\])?(\[[^\]]*\])?\{([^}]*)\}",
                 lambda m: "CALTSTART\\citep" + (m.group(1) or "") + (m.group(2) or "") + "{" + m.group(3) + "}CALTEND",
                 tex)
    return STUBS + tex


def fold_citealt(md: str) -> str:
    def group(m):
        inner = m.group(1)
        # "CALTSTART[@k, loc]CALTEND : 27--28" -> "@k, 27--28"
        inner = re.sub(r"CALTSTART\[([^\]]*)\]CALTEND\s*:\s*([\d–\-, ]+\d)", r"\1, \2", inner)
        inner = re.sub(r"CALTSTART\[([^\]]*)\]CALTEND", r"\1", inner)
        inner = inner.replace("\\", "")
        # "@a 195, see also @b": a second item, not a suffix of the first
        inner = re.sub(r",(\s*(?:[^,;@\]\[]*\s)?-?@)", r";\1", inner)
        inner = re.sub(r"\s+(?:and|or|et|ou|e|o)\s+(-?@)", r"; \1", inner)
        return "[" + inner.strip() + "]"

    md = re.sub(r"\(([^()\[\]]*(?:\[[^\]]*\][^()\[\]]*)*CALTSTART[^()]*?)\)", group, md)
    # a \citealt outside parentheses: a narrative citation
    md = re.sub(r"CALTSTART\[@([^\],;]+)(?:,\s*([^\]]*))?\]CALTEND",
                lambda m: "@" + m.group(1) + (f" [{m.group(2)}]" if m.group(2) else ""), md)
    md = re.sub(r"CALTSTART\[([^\]]*)\]CALTEND", r"[\1]", md)
    return md


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirror", type=Path, required=True)
    ap.add_argument("--pandoc", default=None)
    args = ap.parse_args()
    pandoc = args.pandoc
    if not pandoc:
        import pypandoc
        pandoc = pypandoc.get_pandoc_path()
    for src in SOURCES:
        tex = git_show(args.mirror, src["repo"], src["commit"], src["tex"])
        bibtext = git_show(args.mirror, src["repo"], src["commit"], src["bib"])
        bib = bib_entries(bibtext)
        pre = preprocess(tex, bib)
        md = subprocess.run([pandoc, "-f", "latex", "-t", "markdown-raw_tex-raw_attribute-bracketed_spans-native_spans-native_divs-fenced_divs-link_attributes-header_attributes",
                             "--wrap=none"], input=pre.encode("utf-8"), capture_output=True, check=False).stdout.decode("utf-8")
        if not md.strip():
            raise SystemExit(src["name"] + ": pandoc failed")
        md = fold_citealt(md)
        cited = sorted(set(re.findall(r"@([\w:.\-/]+[\w])", md)))
        missing = [k for k in cited if k not in bib]
        for k in missing:  # a key the .bib lacks: pandoc would print "(k?)"; write the key as plain text
            md = re.sub(r"-?@" + re.escape(k) + r"\b", k.replace("_", " "), md)
        out = HERE / src["name"]
        out.mkdir(exist_ok=True)
        header = f"---\nlang: {src['lang']}\n---\n\n"
        (out / "doc.md").write_text(header + md, encoding="utf-8")
        (out / "refs.bib").write_text("\n\n".join(bib[k] for k in cited if k in bib) + "\n", encoding="utf-8")
        print(src["name"], "cites", len(cited), "keys; missing from .bib:", missing, file=sys.stderr)


if __name__ == "__main__":
    main()
