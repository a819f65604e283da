#!/usr/bin/env python3
"""Adoption sweep: can each public deck of a corpus move to deckgen without touching a learner's collection?

    python bench/adoption.py CORPUS [--decks CORPUS/decks.json] [--only NAME ...] [--out results.jsonl]

For every deck of ``decks.json``:
  a. the learner's collection: a fresh Anki collection that imports the original package (kind ``apkg``), or, for a
     CrowdAnki folder (no package exists), the package of a first ``deckgen import`` + ``deckgen build`` (the
     baseline); then a few cards are answered with ``col.sched`` (review history);
  b. ``deckgen import SRC -o TMP/cards`` (exit code and stderr recorded; errors sorted into failure classes);
  c. ``deckgen build TMP/cards -o TMP/output/deck.apkg``;
  d. the package is imported into the learner's collection: it must be a no-op (``log.new``/``updated``/
     ``conflicting`` empty, no new or changed note type, same notes, cards, scheduling and review log);
  e. one field of one card gets `` [edited by sweep]`` appended in the YAML, rebuild, re-import: exactly that note
     is updated.
One JSON line per deck on stdout (and in ``--out``), then summary tables. Needs ``anki`` and ``PyYAML`` in the
interpreter that runs it (``pip install -e '.[dev]'`` has both). ``DECKGEN`` may hold the deckgen command
(shlex-split; default: this interpreter's ``python -m deckgen``); ``SWEEP_TIMEOUT`` bounds each call (900 s).

How to collect a corpus: public shared decks from GitHub, CrowdAnki exports (a folder with ``deck.json`` and
``media/``) and committed ``.apkg`` files, each in its own folder under ``CORPUS/decks/NAME/``; ``decks.json`` lists
them: ``[{"name": NAME, "kind": "crowdanki" | "apkg", "local": "decks/NAME" (the folder, or the .apkg file),
"repo": "owner/repo", "topic": "..."}]`` (more keys are kept as they are). Search GitHub for ``deck.json`` files
with ``"__type__": "Deck"`` and for ``*.apkg``; record the commit of each; leave out decks whose files are in Git
LFS. The decks are other people's data: keep them out of this repository. The results for deckgen's own corpus of
33 decks are in docs/guides/existing-deck.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

TIMEOUT = int(os.environ.get("SWEEP_TIMEOUT", "900"))
EDIT_MARK = " [edited by sweep]"

# ---------------------------------------------------------------- failure classes
# (label, regex on one deckgen 'error:' line); the first match wins. {0} in a label is replaced by group 1.
CLASSES = [
    ("'<' or '>' in note type / template names", r"(note type|template) name .* contains '[<>]'"),
    (".svg media not allowed", r"media type '\.svg' is not allowed"),
    ("media type '.{0}' not allowed", r"media type '\.([^']+)' is not allowed"),
    ("Anki [latex] tags", r"Anki's LaTeX tags"),
    ("HTML attribute '{0}' not supported", r"HTML attribute '([^']+)' on <\w+> is not supported"),
    ("unsupported or malformed HTML tag", r"HTML tag <.*> is not supported"),
    ("<iframe> in fields", r"unsafe HTML: <iframe>"),
    ("<script>/event handlers in fields", r"(<script|event handler|javascript:)"),
    ("malformed cloze (unclosed deletion)", r"cloze deletion .* is not closed"),
    ("cloze numbering gaps", r"cloze numbers skip"),
    ("media file without an extension", r"media type without an extension"),
    ("image path with folders (../)", r"must be a file name in cards/media"),
    ("link that is not a web address (relative/anchor)", r"link '.*' is not a web address"),
    ("remote (http) image in a field", r"image '.*' is not a local file"),
    ("note type uses media the package/folder lacks (font/css/js)", r"note type '.*': uses the media file"),
    ("field uses media the package lacks", r"field '.*': uses the media file"),
    ("CrowdAnki media_files lists a file media/ lacks", r"media_files: lists the media file"),
    ("duplicate GUIDs", r"two notes have the GUID"),
    ("empty first field", r"it is the note type's first field, which Anki requires"),
    ("cloze without deletion", r"(no cloze deletion|has no deletion|cloze.*no deletion)"),
    ("media file name with characters Anki rejects", r"media file name .* has characters"),
    ("template error", r"template"),
    ("timeout", r"^TIMEOUT"),
]


def classify(line: str) -> str:
    for label, rx in CLASSES:
        m = re.search(rx, line)
        if m:
            if "{0}" in label:
                g = m.group(1)
                if g.startswith("data-"):
                    g = "data-*"
                return label.replace("{0}", g)
            return label
    msg = re.sub(r"^.*?error: ", "", line)
    msg = re.sub(r"^(note '[^']*' )?\(?card '[^']*'\)?:? ", "", msg)
    return "other: " + re.sub(r"'[^']*'", "'…'", msg)[:90]


def error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if re.search(r"(^|: )error: ", ln)]


# ---------------------------------------------------------------- helpers
def deckgen_cmd() -> list[str]:
    command = os.environ.get("DECKGEN", "")
    return shlex.split(command) if command else [sys.executable, "-m", "deckgen"]


def run(args: list[str], cwd: Path, env_extra: dict | None = None) -> dict:
    env = dict(os.environ, CI="1", DECKGEN_CACHE_DIR=str(cwd / ".cache"))
    if env_extra:
        env.update(env_extra)
    t0 = time.time()
    try:
        p = subprocess.run(deckgen_cmd() + args, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, env=env)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = (
            "timeout",
            (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or ""),
            f"TIMEOUT after {TIMEOUT}s",
        )
    return {"rc": rc, "stdout": out, "stderr": err, "seconds": round(time.time() - t0, 1)}


def import_pkg(col: Collection, path: Path, **opts):
    req = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions(**opts))
    return col.import_anki_package(req).log


def state(col: Collection) -> dict:
    nts = {}
    for nt in col.models.all():
        d = {k: v for k, v in nt.items() if k not in ("mod", "usn")}
        nts[nt["id"]] = json.dumps(d, sort_keys=True, ensure_ascii=False)
    notes = {g: (f, t, m) for g, f, t, m in col.db.all("select guid, flds, tags, mod from notes")}
    cards = col.db.all("select id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses from cards order by id")
    return {
        "notetypes": nts,
        "notes": notes,
        "cards": cards,
        "revlog": col.db.scalar("select count() from revlog"),
    }


def log_summary(log) -> dict:
    return {
        k: len(getattr(log, k))
        for k in (
            "new",
            "updated",
            "duplicate",
            "conflicting",
            "first_field_match",
            "missing_notetype",
            "missing_deck",
            "empty_first_field",
        )
    }


def compare(before: dict, after: dict) -> list[str]:
    diffs = []
    new_nt = set(after["notetypes"]) - set(before["notetypes"])
    if new_nt:
        diffs.append(
            f"{len(new_nt)} new note type(s): "
            + ", ".join(json.loads(after["notetypes"][i])["name"] for i in sorted(new_nt))[:200]
        )
    changed_nt = [
        i for i in before["notetypes"] if i in after["notetypes"] and before["notetypes"][i] != after["notetypes"][i]
    ]
    if changed_nt:
        diffs.append(
            f"{len(changed_nt)} note type(s) changed: "
            + ", ".join(json.loads(after["notetypes"][i])["name"] for i in changed_nt)[:200]
        )
    if len(after["notes"]) != len(before["notes"]):
        diffs.append(f"note count {len(before['notes'])} -> {len(after['notes'])}")
    changed_notes = [
        g for g in before["notes"] if g in after["notes"] and before["notes"][g][:2] != after["notes"][g][:2]
    ]
    if changed_notes:
        diffs.append(f"{len(changed_notes)} note(s) with changed fields/tags")
    if len(after["cards"]) != len(before["cards"]):
        diffs.append(f"card count {len(before['cards'])} -> {len(after['cards'])}")
    elif after["cards"] != before["cards"]:
        n = sum(1 for a, b in zip(before["cards"], after["cards"], strict=False) if a != b)
        diffs.append(f"{n} card(s) with changed deck/scheduling")
    if after["revlog"] != before["revlog"]:
        diffs.append(f"review log {before['revlog']} -> {after['revlog']}")
    return diffs


def answer_some(col: Collection, n: int = 8) -> int:
    dids = [d for (d,) in col.db.all("select distinct did from cards")]
    answered = 0
    for did in dids:
        col.decks.select(did)
        for _ in range(n):
            card = col.sched.getCard()
            if card is None:
                break
            col.sched.answerCard(card, 3 if answered % 3 else 1)
            answered += 1
        if answered >= n:
            break
    return answered


def edit_one_field(cards_dir: Path) -> dict | None:
    """Append EDIT_MARK to one single-line field value of one card; returns {file, id, guid, field} or None.
    Cards the lock marks ``kept`` (imported with a defect they keep while unchanged) are left alone: an edit to one
    of them gets that defect's error, which is what deckgen promises (see docs/guides/existing-deck.md)."""
    lock = json.loads((cards_dir / "deckgen.lock").read_text(encoding="utf-8"))
    kept = {card_id for card_id, entry in lock.get("cards", {}).items() if entry.get("kept")}
    for f in sorted(cards_dir.glob("**/*.yaml")):
        if f.name == "deck.yaml" or "note-types" in f.parts:
            continue
        text = f.read_text(encoding="utf-8")
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("cards"), list):
            continue
        lines = text.split("\n")
        id_lines = [i for i, ln in enumerate(lines) if re.match(r"^\s*- id: ", ln)]
        for card in doc["cards"]:
            if not isinstance(card, dict) or not isinstance(card.get("fields"), dict) or "guid" not in card:
                continue
            if card.get("id") in kept:
                continue
            start = next((i for i in id_lines if yaml.safe_load(lines[i].strip()[2:]) == {"id": card["id"]}), None)
            if start is None:
                continue
            end = next((i for i in id_lines if i > start), len(lines))
            for fname, value in card["fields"].items():
                if not isinstance(value, str) or not value or "<script" in value or "\n" in value:
                    continue
                for i in range(start, end):
                    ln = lines[i]
                    try:
                        parsed = yaml.safe_load(ln.strip())
                    except yaml.YAMLError:
                        continue
                    if parsed == {fname: value}:
                        indent = ln[: len(ln) - len(ln.lstrip())]
                        key = json.dumps(fname, ensure_ascii=False)
                        lines[i] = f"{indent}{key}: {json.dumps(value + EDIT_MARK, ensure_ascii=False)}"
                        new_text = "\n".join(lines)
                        check = yaml.safe_load(new_text)
                        c2 = next(c for c in check["cards"] if isinstance(c, dict) and c.get("id") == card["id"])
                        if c2["fields"][fname] != value + EDIT_MARK:
                            lines[i] = ln
                            continue
                        f.write_text(new_text, encoding="utf-8")
                        return {
                            "file": str(f.relative_to(cards_dir)),
                            "id": card["id"],
                            "guid": card["guid"],
                            "field": fname,
                        }
    return None


# ---------------------------------------------------------------- templates dump
def slug(s: str) -> str:
    s = re.sub(r"[^A-Za-z0-9._-]+", "-", s).strip("-")
    return s[:60] or "x"


def dump_templates(entry: dict, notetypes: list[dict], tdir: Path) -> int:
    d = tdir / entry["name"]
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    for i, nt in enumerate(notetypes):
        rec = {
            "deck": entry["name"],
            "repo": entry["repo"],
            "commit": entry["commit"],
            "kind": entry["kind"],
            "name": nt.get("name"),
            "id": nt.get("id"),
            "crowdanki_uuid": nt.get("crowdanki_uuid"),
            "type": nt.get("type"),
            "fields": [f.get("name") for f in nt.get("flds", [])],
            "css": nt.get("css", ""),
            "latexPre": nt.get("latexPre"),
            "latexPost": nt.get("latexPost"),
            "templates": [
                {"name": t.get("name"), "qfmt": t.get("qfmt", ""), "afmt": t.get("afmt", "")}
                for t in nt.get("tmpls", [])
            ],
        }
        (d / f"{i:02d}-{slug(nt.get('name', 'notetype'))}.json").write_text(
            json.dumps(rec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return len(notetypes)


def source_notetypes(entry: dict, src: Path, tmp: Path) -> list[dict]:
    if entry["kind"] == "crowdanki":
        return json.loads((src / "deck.json").read_text(encoding="utf-8")).get("note_models", [])
    col = Collection(str(tmp / "nt-probe.anki2"))
    try:
        before = {nt["id"] for nt in col.models.all()}
        import_pkg(col, src)
        # the stock note types of a fresh collection are left out unless the package used them
        used = {mid for (mid,) in col.db.all("select distinct mid from notes")}
        return [nt for nt in col.models.all() if nt["id"] not in before or nt["id"] in used]
    finally:
        col.close()


# ---------------------------------------------------------------- one deck
def sweep_deck(entry: dict, root: Path, tdir: Path | None, keep: bool) -> dict:
    src = (root / entry["local"]).resolve()
    res: dict = {"name": entry["name"], "kind": entry["kind"], "repo": entry["repo"], "topic": entry.get("topic")}
    tmp = Path(tempfile.mkdtemp(prefix=f"sweep-{entry['name']}-"))
    try:
        if tdir is not None:
            try:
                res["note_types_dumped"] = dump_templates(entry, source_notetypes(entry, src, tmp), tdir)
            except Exception as e:  # noqa: BLE001
                res["note_types_dumped"] = f"failed: {e!r}"[:300]

        # a. the learner's collection
        (tmp / "learner").mkdir()
        learner = Collection(str(tmp / "learner" / "collection.anki2"))
        try:
            if entry["kind"] == "apkg":
                res["baseline"] = "original .apkg imported into a fresh collection"
                base_log = import_pkg(learner, src)
            else:
                res["baseline"] = "package of a first `deckgen import` + `deckgen build` (CrowdAnki has no package)"
                r0 = run(["import", str(src), "-o", str(tmp / "cards0")], tmp)
                if r0["rc"] != 0:
                    return finish_import_failure(res, r0)
                b0 = run(["build", str(tmp / "cards0"), "-o", str(tmp / "output0" / "deck.apkg")], tmp)
                if b0["rc"] != 0:
                    res.update(
                        result="failed at build",
                        step="baseline build",
                        build_rc=b0["rc"],
                        build_errors=error_lines(b0["stderr"])[:20] or b0["stderr"][-2000:].splitlines(),
                    )
                    res["reasons"] = dict(
                        Counter(classify(line) for line in error_lines(b0["stderr"]) or [b0["stderr"][-300:]])
                    )
                    return res
                base_log = import_pkg(learner, tmp / "output0" / "deck.apkg")
            res["baseline_import"] = log_summary(base_log)
            res["notes"] = learner.note_count()
            res["cards"] = learner.card_count()
            res["answered"] = answer_some(learner)

            # b. deckgen import
            r = run(["import", str(src), "-o", str(tmp / "cards")], tmp)
            res["import_rc"] = r["rc"]
            res["import_seconds"] = r["seconds"]
            res["import_summary"] = r["stdout"].splitlines()[:1]
            if r["rc"] != 0:
                return finish_import_failure(res, r)

            # c. deckgen build
            b = run(["build", str(tmp / "cards"), "-o", str(tmp / "output" / "deck.apkg")], tmp)
            res["build_rc"] = b["rc"]
            res["build_summary"] = b["stdout"].strip().splitlines()[-1:] if b["stdout"].strip() else []
            if b["rc"] != 0:
                errs = error_lines(b["stderr"])
                res.update(result="failed at build", build_errors=errs[:20] or b["stderr"][-2000:].splitlines())
                res["reasons"] = dict(Counter(classify(line) for line in errs or [b["stderr"][-300:]]))
                return res

            # d. re-import: no-op?
            before = state(learner)
            log = import_pkg(learner, tmp / "output" / "deck.apkg")
            after = state(learner)
            res["reimport"] = log_summary(log)
            diffs = []
            for k in ("new", "updated", "conflicting"):
                if res["reimport"][k]:
                    diffs.append(f"log.{k}: {res['reimport'][k]}")
            for k in ("missing_notetype", "missing_deck", "first_field_match", "empty_first_field"):
                if res["reimport"][k]:
                    diffs.append(f"log.{k}: {res['reimport'][k]}")
            diffs += compare(before, after)
            res["noop_diffs"] = diffs
            noop = not diffs

            # e. edit one field, rebuild, re-import: exactly that note updated
            ed = edit_one_field(tmp / "cards")
            res["edit"] = ed
            if ed is None:
                res["edit_result"] = "no single-line field found to edit"
            else:
                b2 = run(["build", str(tmp / "cards"), "-o", str(tmp / "output2" / "deck.apkg")], tmp)
                if b2["rc"] != 0:
                    res["edit_result"] = "rebuild failed: " + " | ".join(
                        error_lines(b2["stderr"])[:3] or b2["stderr"].splitlines()[-3:]
                    )
                else:
                    before2 = state(learner)
                    log2 = import_pkg(learner, tmp / "output2" / "deck.apkg")
                    after2 = state(learner)
                    s2 = log_summary(log2)
                    res["edit_reimport"] = s2
                    changed = [
                        g
                        for g in before2["notes"]
                        if g in after2["notes"] and before2["notes"][g][:2] != after2["notes"][g][:2]
                    ]
                    marked = ed["guid"] in after2["notes"] and EDIT_MARK in after2["notes"][ed["guid"]][0]
                    problems = []
                    if s2["updated"] != 1 or s2["new"] or s2["conflicting"]:
                        problems.append(f"log updated={s2['updated']} new={s2['new']} conflicting={s2['conflicting']}")
                    if changed != [ed["guid"]]:
                        problems.append(f"{len(changed)} notes changed in the collection")
                    if not marked:
                        problems.append("edited text not in the learner's note")
                    other = [d for d in compare(before2, after2) if "changed fields" not in d]
                    problems += other
                    res["edit_result"] = "ok: exactly one note updated" if not problems else "; ".join(problems)
            edited = str(res.get("edit_result", "")).startswith("ok")
            res["result"] = (
                "adopted (no-op)" if noop and edited else "no-op, but the edit failed" if noop else "not a no-op"
            )
            if not noop:
                res["reasons"] = dict(Counter(re.sub(r"\d+", "N", d.split(":")[0]) for d in diffs))
            return res
        finally:
            learner.close()
    except Exception as e:  # noqa: BLE001
        res.setdefault("result", "sweep error")
        res["exception"] = repr(e)[:500]
        return res
    finally:
        if keep:
            res["tmp"] = str(tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def finish_import_failure(res: dict, r: dict) -> dict:
    errs = error_lines(r["stderr"])
    res["import_rc"] = r["rc"]
    res["result"] = "failed at import"
    res["import_error_count"] = len(errs)
    res["import_errors"] = errs[:15] if errs else r["stderr"][-2000:].splitlines()
    res["reasons"] = (
        dict(Counter(classify(line) for line in errs))
        if errs
        else {classify(r["stderr"].strip()[-300:] or f"rc {r['rc']}"): 1}
    )
    # one example message per reason
    ex = {}
    for line in errs:
        ex.setdefault(classify(line), line)
    res["reason_examples"] = ex
    return res


# ---------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="the corpus folder (decks.json's 'local' paths are relative to it)")
    ap.add_argument("--decks", help="the list of decks (default: CORPUS/decks.json)")
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--out", default="adoption-results.jsonl")
    ap.add_argument("--templates", help="also dump every note type as JSON into this folder")
    ap.add_argument("--templates-only", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep each deck's temporary folder")
    a = ap.parse_args()
    root = Path(a.corpus).resolve()
    entries = json.loads(Path(a.decks or root / "decks.json").read_text(encoding="utf-8"))
    if a.only:
        entries = [e for e in entries if e["name"] in a.only]
    tdir = Path(a.templates) if a.templates else None
    if tdir is not None:
        tdir.mkdir(parents=True, exist_ok=True)
    if a.templates_only:
        if tdir is None:
            ap.error("--templates-only needs --templates DIR")
        for e in entries:
            with tempfile.TemporaryDirectory() as t:
                n = dump_templates(e, source_notetypes(e, (root / e["local"]).resolve(), Path(t)), tdir)
                print(e["name"], n)
        return 0
    try:
        ver = subprocess.run(deckgen_cmd() + ["--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception as e:  # noqa: BLE001
        print(f"cannot run DECKGEN={deckgen_cmd()}: {e}", file=sys.stderr)
        return 2
    results = []
    with open(a.out, "w", encoding="utf-8") as out:
        for e in entries:
            r = sweep_deck(e, root, tdir, a.keep)
            r["deckgen"] = ver
            results.append(r)
            line = json.dumps(r, ensure_ascii=False)
            print(line, flush=True)
            out.write(line + "\n")
            out.flush()
    # summary
    print(f"\n# Sweep summary ({ver}; {len(results)} decks)\n")
    print("| deck | kind | notes | result | reasons / edit check |")
    print("|---|---|---|---|---|")
    for r in results:
        why = "; ".join(f"{k} ×{v}" for k, v in (r.get("reasons") or {}).items())
        if r.get("result") in ("adopted (no-op)", "not a no-op"):
            why = (why + "; " if why else "") + "edit: " + str(r.get("edit_result"))
        if r.get("exception"):
            why += " " + r["exception"][:120]
        print(f"| {r['name']} | {r['kind']} | {r.get('notes', '')} | {r.get('result')} | {why} |")
    by = Counter(r.get("result") for r in results)
    print("\n" + ", ".join(f"{k}: {v}" for k, v in by.items()))
    reasons = defaultdict(list)
    for r in results:
        for k in r.get("reasons") or {}:
            reasons[k].append(r["name"])
    print("\n| failure class | decks | which |\n|---|---|---|")
    for k, v in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
        print(f"| {k} | {len(v)} | {', '.join(v)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
