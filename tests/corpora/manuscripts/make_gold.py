#!/usr/bin/env python3
"""Regenerate the gold answers of the real-manuscript corpora WITH THE REAL TOOLS.

    python tests/corpora/manuscripts/make_gold.py            # all three folders
    python tests/corpora/manuscripts/make_gold.py markdown   # or latex / docx
    python tests/corpora/manuscripts/make_gold.py --check    # regenerate in memory, diff against gold.json

Each folder (markdown/, latex/, docx/) has a manifest.json naming its documents; the gold is
written to <folder>/gold.json.  Nothing here parses citations itself: every key, count and
note below is read from what the tools produced.

markdown  pandoc (pypandoc's binary, ``pypandoc.get_pandoc_path()``):
          * ``pandoc -f markdown -t json`` (no citeproc): Cite nodes in document order (YAML
            metadata such as the abstract first), each citation's id, mode, prefix/suffix
            (stringified), whether it sits in a note or in a metadata field; an implicit
            figure's caption is counted once (pandoc 3 repeats it in the image's alt text);
            Note nodes (footnotes ``[^1]`` and inline ``^[...]``).
          * ``pandoc -f markdown --citeproc -t plain`` with the document's bibliography (its YAML
            ``bibliography:``, or the manifest's ``bibliography`` when the YAML one cannot be used):
            the missing keys are pandoc's ``[WARNING] Citeproc: citation KEY not found``.
latex     pdflatex + bibtex (natbib / plain \\cite) or pdflatex + biber (biblatex), the real
          cycle: latex, bibtex|biber, latex, latex (all ``-interaction=nonstopmode -draftmode``)
          in a scratch copy of the document's folder.
          * cited keys: the ``\\citation{...}`` lines latex wrote into the .aux files (main and
            every ``\\@input`` one, i.e. \\include'd chapters), or the ``<bcf:citekey>`` entries
            latex wrote into the .bcf for biblatex (``*`` from ``\\nocite{*}`` is reported apart);
          * missing keys: bibtex's ``Warning--I didn't find a database entry for "KEY"`` (.blg),
            biber's ``WARN - I didn't find a database entry for 'KEY'`` (.blg);
          * also latex's own ``Citation `KEY' ... undefined`` warnings of the last run.
docx      pandoc ``-f docx+citations -t json`` (and ``-f odt`` for .odt):
          * Note nodes (footnotes and endnotes: pandoc makes both Notes), their text;
          * Cite nodes (Zotero / Mendeley citation fields) with their ids;
          * the plain text of the document as pandoc gives it with its default
            ``--track-changes=accept`` and also with ``reject``;
          * comments (``--track-changes=all`` spans of class ``comment-start``).

Tool versions are recorded in each gold.json.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------------------------
# helpers


def manifest_documents(folder, only=None):
    """The documents the folder's manifest.json lists (those whose id is in `only`, if given)."""
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as fh:
        documents = json.load(fh)["documents"]
    return [d for d in documents if not only or d["id"] in only]


def pandoc_path() -> str:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except Exception:  # pragma: no cover - fall back to a pandoc on PATH
        p = shutil.which("pandoc")
        if not p:
            sys.exit("pandoc not found (pip install pypandoc-binary)")
        return p


def run(cmd, cwd=None, timeout=600, env=None):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=timeout, env=env)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def first_line(cmd) -> str:
    try:
        rc, out, err = run(cmd)
    except (OSError, subprocess.TimeoutExpired):
        return "absent"
    return ((out or err).strip().splitlines() or ["?"])[0]


def stringify(node) -> str:
    """Plain text of a pandoc JSON fragment (what pandoc's own stringify gives, near enough)."""
    if isinstance(node, list):
        return "".join(stringify(x) for x in node)
    if not isinstance(node, dict):
        return ""
    t = node.get("t")
    c = node.get("c")
    if t == "Str":
        return c
    if t in ("Space", "SoftBreak"):
        return " "
    if t == "LineBreak":
        return "\n"
    if t in ("Code", "Math"):
        return c[1]
    if t == "RawInline":
        return ""
    if t == "Quoted":
        q = '"' if c[0]["t"] == "DoubleQuote" else "'"
        return q + stringify(c[1]) + q
    if t == "Cite":
        return stringify(c[1])
    if t in ("Link", "Image", "Span"):
        return stringify(c[1])
    if t == "Note":
        return ""
    if t in ("Para", "Plain"):
        return stringify(c) + "\n"
    if t == "Header":
        return stringify(c[2]) + "\n"
    if t == "CodeBlock":
        return c[1] + "\n"
    if t == "RawBlock":
        return ""
    if isinstance(c, list):
        return stringify(c)
    return ""


class Walker:
    """Walk a pandoc JSON AST in document order, noting Cite and Note nodes."""

    def __init__(self):
        self.cites = []
        self.notes = []
        self._note_depth = 0
        self._figure_depth = 0
        self.where = None

    def walk_document(self, doc):
        """Metadata first (a YAML abstract is read before the body), then the blocks."""
        for key, value in doc.get("meta", {}).items():
            self.where = key
            self.walk(value)
        self.where = None
        self.walk(doc["blocks"])

    def walk(self, node):
        if isinstance(node, list):
            for x in node:
                self.walk(x)
            return
        if not isinstance(node, dict):
            return
        t = node.get("t")
        c = node.get("c")
        if t == "Cite":
            cits, inl = c
            self.cites.append(
                {
                    "text": stringify(inl),
                    **({"in_metadata": self.where} if self.where else {}),
                    "in_note": self._note_depth > 0,
                    "citations": [
                        {
                            "id": ci["citationId"],
                            "mode": ci["citationMode"]["t"],
                            "prefix": stringify(ci["citationPrefix"]),
                            "suffix": stringify(ci["citationSuffix"]),
                        }
                        for ci in cits
                    ],
                }
            )
            self.walk(cits)  # citations inside a prefix/suffix are legal in pandoc
            return
        if t == "Figure":
            # pandoc 3 puts an implicit figure's caption both in the Figure's caption and in
            # the alt text of its Image: walk the caption, and not the copy in the alt text
            attr, caption, body = c
            self.walk(caption)
            self._figure_depth += 1
            self.walk(body)
            self._figure_depth -= 1
            return
        if t == "Image" and self._figure_depth:
            return
        if t == "Note":
            text = " ".join(stringify(c).split())
            self.notes.append({"text": text[:200]})
            self._note_depth += 1
            self.walk(c)
            self._note_depth -= 1
            return
        if isinstance(c, (list, dict)):
            self.walk(c)


def ordered_keys(cites):
    keys, counts = [], collections.Counter()
    for cite in cites:
        for ci in cite["citations"]:
            if ci["id"] not in counts:
                keys.append(ci["id"])
            counts[ci["id"]] += 1
    return keys, dict(counts)


CROSSREF = re.compile(r"^(fig|tbl|tab|eq|sec|lst|thm|lem|cor|prp|def|exm|exr|apx)[-:]")


# ---------------------------------------------------------------------------------------------
# Markdown


def gold_markdown(folder, only=None):
    pandoc = pandoc_path()
    docs = []
    for d in manifest_documents(folder, only):
        ddir = os.path.join(folder, d["id"])
        fmt = d.get("from", "markdown")
        inputs = d["inputs"]
        rc, out, err = run([pandoc, "-f", fmt, "-t", "json", *inputs], cwd=ddir)
        if rc:
            raise SystemExit(f"pandoc failed on {d['id']}: {err}")
        w = Walker()
        w.walk_document(json.loads(out))
        keys, counts = ordered_keys(w.cites)
        cmd = [pandoc, "-f", fmt, "--citeproc", "-t", "plain"]
        for b in d.get("bibliography_override") or []:
            cmd += ["--bibliography", b]
        cmd += inputs
        rc, _, err = run(cmd, cwd=ddir)
        if rc:
            raise SystemExit(f"pandoc --citeproc failed on {d['id']}: {err}")
        warnings = [ln for ln in err.splitlines() if ln.strip()]
        missing = []
        for ln in warnings:
            m = re.match(r"\[WARNING\] Citeproc: citation (.+) not found$", ln.strip())
            if m and m.group(1) not in missing:
                missing.append(m.group(1))
        chunk_check = None
        if any(i.lower().endswith((".rmd", ".qmd")) for i in inputs):
            chunk_check = knitr_chunk_check(pandoc, fmt, ddir, inputs, w.cites)
            if not chunk_check["same_citations_when_chunks_are_fenced"]:
                print(f"warning: {d['id']}: knitr chunks change pandoc's reading", file=sys.stderr)
        docs.append(
            {
                "id": d["id"],
                "inputs": inputs,
                "bibliography": d.get("bibliography_override") or d.get("bibliography"),
                "cite_nodes": len(w.cites),
                "citations": sum(len(c["citations"]) for c in w.cites),
                "cited_keys": keys,
                "cite_counts": counts,
                "missing_keys": missing,
                "crossref_like_keys": [k for k in keys if CROSSREF.match(k)],
                "notes": len(w.notes),
                "note_texts": [n["text"] for n in w.notes],
                "cites": w.cites,
                "pandoc_warnings": warnings,
                **({"knitr_chunk_check": chunk_check} if chunk_check else {}),
            }
        )
    return {
        "tool": {"pandoc": first_line([pandoc, "--version"]), "pandoc_path_from": "pypandoc.get_pandoc_path()"},
        "commands": {
            "ast": "pandoc -f markdown -t json INPUTS   (cwd = document folder)",
            "missing": "pandoc -f markdown --citeproc -t plain [--bibliography B] INPUTS   (stderr)",
        },
        "documents": docs,
        "totals": totals(docs),
    }


FENCE = re.compile(r"^(\s*)(`{3,})\s*\{([A-Za-z0-9_]+)[^}]*\}\s*$", re.M)


def knitr_chunk_check(pandoc, fmt, ddir, inputs, cites):
    """pandoc does not take ```{r ...} as a code fence (only ```{.r}); the chunk becomes an
    inline code span. Check that this does not change which citations pandoc sees: read the
    file again with every chunk header rewritten to ```{.r} and compare the Cite ids."""
    with tempfile.TemporaryDirectory() as tmp:
        for i in inputs:
            text = open(os.path.join(ddir, i), encoding="utf-8").read()
            with open(os.path.join(tmp, os.path.basename(i)), "w", encoding="utf-8") as f:
                f.write(FENCE.sub(lambda m: f"{m.group(1)}{m.group(2)}{{.{m.group(3)}}}", text))
        rc, out, err = run([pandoc, "-f", fmt, "-t", "json", *[os.path.basename(i) for i in inputs]], cwd=tmp)
    w = Walker()
    w.walk_document(json.loads(out))
    ids = lambda cs: [ci["id"] for c in cs for ci in c["citations"]]  # noqa: E731
    return {
        "chunk_headers": sum(len(FENCE.findall(open(os.path.join(ddir, i), encoding="utf-8").read())) for i in inputs),
        "same_citations_when_chunks_are_fenced": ids(cites) == ids(w.cites),
    }


def totals(docs):
    t = collections.Counter()
    for d in docs:
        t["documents"] += 1
        for k in ("cite_nodes", "citations", "notes"):
            if k in d:
                t[k] += d[k]
        t["cited_keys"] += len(d.get("cited_keys", []))
        t["missing_keys"] += len(d.get("missing_keys", []))
        t["documents_with_missing_keys"] += bool(d.get("missing_keys"))
    return dict(t)



# ---------------------------------------------------------------------------------------------
# LaTeX

FOOTNOTE_HOOK = (
    r"\AddToHook{cmd/footnote/before}{\immediate\write-1{CITEAUDIT-FOOTNOTE}}"
    r"\AddToHook{cmd/footnotetext/before}{\immediate\write-1{CITEAUDIT-FOOTNOTETEXT}}"
)


def read_text(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def aux_citations(tmp, aux, seen=None):
    """\\citation lines of an .aux file and of the .aux files it \\@input's, in order."""
    seen = seen if seen is not None else set()
    path = os.path.join(tmp, aux)
    if aux in seen or not os.path.exists(path):
        return [], []
    seen.add(aux)
    keys, bibdata = [], []
    for line in read_text(path).splitlines():
        m = re.match(r"\\citation\{(.*)\}\s*$", line)
        if m:
            keys += [k.strip() for k in m.group(1).split(",") if k.strip()]
            continue
        m = re.match(r"\\bibdata\{(.*)\}", line)
        if m:
            bibdata += m.group(1).split(",")
            continue
        m = re.match(r"\\@input\{(.*)\}", line)
        if m:
            k, b = aux_citations(tmp, m.group(1), seen)
            keys += k
            bibdata += b
    return keys, bibdata


def aux_bibcites(tmp, aux):
    """Keys latex defined with \\bibcite (from thebibliography, written or embedded)."""
    path = os.path.join(tmp, aux)
    return re.findall(r"^\\bibcite\{([^}]*)\}", read_text(path), re.M) if os.path.exists(path) else []


def bcf_citations(tmp, job):
    """<bcf:citekey> entries latex wrote into the .bcf, per refsection, in order."""
    text = read_text(os.path.join(tmp, job + ".bcf"))
    sections = {}
    for sec in re.finditer(r'<bcf:section number="(\d+)">(.*?)</bcf:section>', text, re.S):
        ks = re.findall(r"<bcf:citekey[^>]*>([^<]*)</bcf:citekey>", sec.group(2))
        sections.setdefault(sec.group(1), []).extend(ks)
    datasources = re.findall(r"<bcf:datasource[^>]*>([^<]*)</bcf:datasource>", text)
    return sections, datasources


def unique(seq):
    out = []
    for x in seq:
        if x not in out:
            out.append(x)
    return out


APT_TEX = (
    "apt-get install -y --no-install-recommends texlive-latex-base texlive-latex-recommended "
    "texlive-latex-extra texlive-bibtex-extra texlive-science texlive-fonts-recommended "
    "texlive-publishers texlive-plain-generic texlive-xetex cm-super-minimal lmodern biber"
)


def gold_latex(folder, only=None):
    absent = [t for t in ("pdflatex", "xelatex", "bibtex", "biber") if not shutil.which(t)]
    if absent:
        sys.exit(f"{', '.join(absent)} not found; on Debian/Ubuntu: {APT_TEX}")
    env = dict(os.environ, TEXINPUTS=os.path.join(folder, "_texinputs") + "//:")
    docs = []
    for d in manifest_documents(folder, only):
        src = os.path.join(folder, d.get("dir", d["id"]))
        engine = d.get("engine", "pdflatex")
        backend = d["backend"]
        main = d["main"]
        job = os.path.splitext(os.path.basename(main))[0]
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(src, tmp, dirs_exist_ok=True)
            wd = os.path.join(tmp, os.path.dirname(main))
            draft = "-no-pdf" if engine == "xelatex" else "-draftmode"
            latex = [engine, "-interaction=nonstopmode", draft, "-file-line-error"]
            runs = []

            def tex(extra=""):
                arg = f"{extra}\\input{{{os.path.basename(main)}}}" if extra else os.path.basename(main)
                rc, out, err = run([*latex, f"-jobname={job}", arg], cwd=wd, env=env)
                runs.append(rc)
                return read_text(os.path.join(wd, job + ".log")) if os.path.exists(os.path.join(wd, job + ".log")) else out

            def current_keys():
                if backend == "bibtex":
                    return set(aux_citations(wd, job + ".aux")[0])
                return {k for ks in bcf_citations(wd, job)[0].values() for k in ks}

            def run_backend():
                if backend == "bibtex":
                    rc, out, err = run(["bibtex", job], cwd=wd)
                    blg = read_text(os.path.join(wd, job + ".blg")) if os.path.exists(os.path.join(wd, job + ".blg")) else out
                    missing = unique(re.findall(r"Warning--I didn't find a database entry for \"([^\"]*)\"", blg))
                    warnings = re.findall(r"^Warning--(.*)$", blg, re.M)
                    lines = blg.splitlines()
                    m = re.search(r"\(There (?:was|were) (\d+) error message", blg)
                    nerr = int(m.group(1)) if m else 0
                    errors = [
                        ln
                        for i, ln in enumerate(lines)
                        if re.match(r"(I couldn't open|I found no|Repeated entry|I was expecting|I'm skipping)", ln)
                        or (i + 1 < len(lines) and lines[i + 1].startswith("while executing"))
                        or re.search(r"---line \d+ of file", ln)
                    ]
                else:
                    rc, out, err = run(["biber", job], cwd=wd)
                    blg = read_text(os.path.join(wd, job + ".blg")) if os.path.exists(os.path.join(wd, job + ".blg")) else out
                    missing = unique(re.findall(r"WARN - I didn't find a database entry for '([^']*)'", blg))
                    warnings = re.findall(r"WARN - (.*)$", blg, re.M)
                    errors = re.findall(r"ERROR - (.*)$", blg, re.M)
                    nerr = len(errors)
                return rc, missing, warnings, errors, nerr

            # latex; then bibtex|biber and latex again until latex cites nothing the backend
            # has not seen (citations first written on a later run, e.g. from a caption read
            # back through the .lof, need another backend run -- as latexmk does)
            tex()
            first_run_keys = current_keys()
            backend_runs = 0
            while True:
                seen = current_keys()
                backend_rc, missing, backend_warnings, backend_errors, backend_error_count = run_backend()
                backend_runs += 1
                tex()
                if current_keys() <= seen or backend_runs >= 3:
                    break
            log = tex(FOOTNOTE_HOOK)
            if backend == "bibtex":
                keys, bibdata = aux_citations(wd, job + ".aux")
                sections = {"0": keys}
            else:
                sections, bibdata = bcf_citations(wd, job)
                keys = [k for ks in sections.values() for k in ks]
            undefined = unique(re.findall(r"Citation [`']([^']*)' (?:on page \d+ )?undefined", log))
            footnotes = len(re.findall(r"^CITEAUDIT-FOOTNOTE$", log, re.M))
            footnotetexts = len(re.findall(r"^CITEAUDIT-FOOTNOTETEXT$", log, re.M))
            bibcites = aux_bibcites(wd, job + ".aux")
            latex_errors = len(re.findall(r"^(?:! |\S+:\d+: )", log, re.M))
        nocite_all = "*" in keys
        real = [k for k in keys if k != "*"]
        docs.append(
            {
                "id": d["id"],
                "main": main,
                "engine": engine,
                "backend": backend,
                "bib_files": unique(bibdata),
                "cited_keys": unique(real),
                "cite_counts": dict(collections.Counter(real)),
                "citations": len(real),
                "nocite_all": nocite_all,
                "keys_cited_only_from_second_run": [k for k in unique(real) if k not in first_run_keys],
                **({"refsections": {s: unique(k) for s, k in sections.items()}} if backend == "biber" else {}),
                "missing_keys": missing,
                "latex_undefined_citations": undefined,
                **(
                    {"embedded_thebibliography": True}
                    if backend == "bibtex" and not bibdata and bibcites
                    else {}
                ),
                "notes": footnotes + footnotetexts,
                "footnote_commands": footnotes,
                "footnotetext_commands": footnotetexts,
                "latex_exit_codes": runs,
                "latex_errors_in_last_run": latex_errors,
                "backend_exit_code": backend_rc,
                "backend_runs": backend_runs,
                "backend_error_count": backend_error_count,
                "backend_errors": unique(backend_errors)[:30],
                "backend_warnings": unique(backend_warnings)[:60],
            }
        )
        print(f"  {d['id']}: {len(unique(real))} keys, {len(missing)} missing, {footnotes + footnotetexts} notes", file=sys.stderr)
    return {
        "tool": {
            "pdflatex": first_line(["pdflatex", "--version"]),
            "xelatex": first_line(["xelatex", "--version"]),
            "bibtex": first_line(["bibtex", "--version"]),
            "biber": first_line(["biber", "--version"]),
            "latex_format": latex_format_date(),
            "biblatex": package_version("biblatex.sty", r"\\def\\abx@date\{([^}]*)\}.*?\\def\\abx@version\{([^}]*)\}"),
            "natbib": package_version("natbib.sty", r"\\ProvidesPackage\{natbib\}\s*\[([^\]]*)\]"),
        },
        "commands": {
            "cycle": "ENGINE -interaction=nonstopmode -draftmode (xelatex: -no-pdf) -file-line-error MAIN; bibtex|biber JOB; ENGINE ...; "
            "(bibtex|biber and ENGINE again while the last run cited keys the backend had not seen); "
            "ENGINE ... with \\AddToHook{cmd/footnote/before} and {cmd/footnotetext/before} writing a marker to the log",
            "cited_keys": "\\citation lines of JOB.aux and the .aux files it \\@input's (bibtex); <bcf:citekey> of JOB.bcf (biber)",
            "missing_keys": "bibtex .blg: Warning--I didn't find a database entry for \"KEY\"; biber .blg: WARN - I didn't find a database entry for 'KEY'",
        },
        "documents": docs,
        "totals": totals(docs),
    }


def latex_format_date():
    with tempfile.TemporaryDirectory() as tmp:
        rc, out, err = run(
            ["pdflatex", "-interaction=nonstopmode", r"\catcode`\@=11 \typeout{FMT:\fmtversion\space patch level \patch@level}\stop"],
            cwd=tmp,
        )
    m = re.search(r"^FMT:(.*)$", out, re.M)
    return m.group(1).strip() if m else "?"


def package_version(sty, pattern):
    rc, path, _ = run(["kpsewhich", sty])
    if rc or not path.strip():
        return "absent"
    m = re.search(pattern, read_text(path.strip()), re.S)
    return " ".join(m.groups()) if m else "?"


# ---------------------------------------------------------------------------------------------
# DOCX / ODT


def span_walk(node, out):
    """Spans pandoc makes for --track-changes=all: insertion, deletion, comment-start."""
    if isinstance(node, list):
        for x in node:
            span_walk(x, out)
        return
    if not isinstance(node, dict):
        return
    if node.get("t") == "Span":
        (ident, classes, kvs), inl = node["c"]
        for cls in ("insertion", "deletion", "comment-start"):
            if cls in classes:
                out.append({"kind": cls, "author": dict(kvs).get("author", ""), "text": " ".join(stringify(inl).split())})
    c = node.get("c")
    if isinstance(c, (list, dict)):
        span_walk(c, out)


def xml_note_counts(path):
    """Cross-check only: non-separator w:footnote / w:endnote elements in the package."""
    import zipfile

    out = {}
    try:
        z = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        return out
    for part, tag in (("word/footnotes.xml", "footnote"), ("word/endnotes.xml", "endnote")):
        if part in z.namelist():
            xml = z.read(part).decode("utf-8", "replace")
            elems = re.findall(rf"<w:{tag}\b([^>]*)>", xml)
            out[tag + "s"] = sum(1 for a in elems if not re.search(r'w:type="(separator|continuationSeparator|continuationNotice)"', a))
    return out


def gold_docx(folder, only=None):
    pandoc = pandoc_path()
    docs = []
    for d in manifest_documents(folder, only):
        f = d["file"]
        fmt = "odt" if f.endswith(".odt") else "docx+citations"
        base = [pandoc, "-f", fmt]
        rc, out, err = run([*base, "-t", "json", f], cwd=folder)
        if rc:
            raise SystemExit(f"pandoc failed on {f}: {err}")
        w = Walker()
        w.walk_document(json.loads(out))
        keys, counts = ordered_keys(w.cites)
        tables = out.count('"t":"Table"')
        texts = {}
        for mode in ("accept", "reject"):
            rc, txt, _ = run([*base, f"--track-changes={mode}", "-t", "plain", "--wrap=none", f], cwd=folder)
            texts[mode] = txt
        changes = []
        if fmt.startswith("docx"):
            rc, out_all, _ = run([*base, "--track-changes=all", "-t", "json", f], cwd=folder)
            span_walk(json.loads(out_all)["blocks"], changes)
        docs.append(
            {
                "id": d["id"],
                "file": f,
                "reader": fmt,
                "notes": len(w.notes),
                "note_texts": [n["text"] for n in w.notes],
                "xml_note_counts": xml_note_counts(os.path.join(folder, f)) if fmt.startswith("docx") else {},
                "cite_nodes": len(w.cites),
                "citations": sum(len(c["citations"]) for c in w.cites),
                "cited_keys": keys,
                "cite_counts": counts,
                "cites": w.cites,
                "missing_keys": [],
                "tables": tables,
                "insertions": [c for c in changes if c["kind"] == "insertion"],
                "deletions": [c for c in changes if c["kind"] == "deletion"],
                "comments": [c for c in changes if c["kind"] == "comment-start"],
                "text_accept": texts["accept"],
                "text_reject": texts["reject"],
                "pandoc_warnings": [ln for ln in err.splitlines() if ln.strip()],
            }
        )
    return {
        "tool": {"pandoc": first_line([pandoc, "--version"]), "pandoc_path_from": "pypandoc.get_pandoc_path()"},
        "commands": {
            "ast": "pandoc -f docx+citations -t json FILE   (odt: -f odt)",
            "text_accept": "pandoc -f docx+citations --track-changes=accept -t plain --wrap=none FILE   (pandoc's default)",
            "text_reject": "pandoc -f docx+citations --track-changes=reject -t plain --wrap=none FILE",
            "changes": "pandoc -f docx+citations --track-changes=all -t json FILE: Spans of class insertion / deletion / comment-start",
            "xml_note_counts": "not pandoc: w:footnote / w:endnote elements of word/footnotes.xml, word/endnotes.xml that are not separators (a cross-check)",
        },
        "documents": docs,
        "totals": totals(docs),
    }


# ---------------------------------------------------------------------------------------------
# main


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", default=["markdown", "latex", "docx"])
    ap.add_argument("--check", action="store_true", help="compare with the stored gold.json, write nothing")
    ap.add_argument("--only", action="append", help="just this document id (repeatable); prints, writes nothing")
    a = ap.parse_args(argv)
    makers = {"markdown": gold_markdown, "latex": globals().get("gold_latex"), "docx": globals().get("gold_docx")}
    bad = 0
    for name in a.folders:
        folder = os.path.join(HERE, name)
        gold = makers[name](folder, a.only) if a.only else makers[name](folder)
        if a.only:
            print(json.dumps(gold["documents"], indent=1, ensure_ascii=False))
            continue
        path = os.path.join(folder, "gold.json")
        text = json.dumps(gold, indent=1, ensure_ascii=False, sort_keys=False) + "\n"
        if a.check:
            old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
            same = old == text
            bad += not same
            print(f"{name}: {'same' if same else 'DIFFERENT'}")
        else:
            open(path, "w", encoding="utf-8").write(text)
            print(f"{name}: {gold['totals']}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
