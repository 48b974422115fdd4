#!/usr/bin/env python3
"""Baseline search engines (SQLite FTS5, tantivy) on the same texts and queries as Passerelle's engine.

Measures, for each docs file and engine: index build time, then per-query latency (wall time of
"total matches + top 20 ids", as our engine's search returns) over --rounds rounds of every query
after one warm-up round, reported as p50 / p99 / max (sorted latencies, index floor(n*p) clamped,
as in Sources/Search/SearchBenchmark.swift) and the mean number of matches per query.

Both baselines are plain keyword engines: the user text is lowercased, split on non-alphanumeric
characters and every token is required (AND), with field weights title 3, conditions 3,
interventions 2, summary 1, criteria 0.3 and diacritics folded. They have no synonyms, no
French/English translation and no typo tolerance, so French queries on English records match
little: the "mean matches" column shows it.

Inputs come from our own benchmark command, which exports the texts and queries it measures:

    .build-release/release/passerelle bench search --database DB --scale 100000 500000 \\
        --export /tmp/searchbench
    pip install tantivy   # 0.27
    python3 scripts/bench-search-baselines.py --docs /tmp/searchbench/docs-*.jsonl \\
        --queries /tmp/searchbench/queries.jsonl [--rounds 5] [--work-dir DIR] [--json]

Docs files are streamed in batches (a 500k-doc file is ~2 GB of JSON); both indexes are built on
disk in --work-dir (a temporary directory removed afterwards by default). "build s" excludes the
time spent reading and parsing the JSON, which is reported separately (our engine builds from
trials already in memory); tantivy's indexing threads may overlap with that parsing.
"""

import argparse
import gc
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time

FIELDS = ["title", "conditions", "interventions", "summary", "criteria"]
WEIGHTS = {"title": 3.0, "conditions": 3.0, "interventions": 2.0, "summary": 1.0, "criteria": 0.3}
TOP = 20
BATCH = 5000
TOKEN = re.compile(r"[^\W_]+")  # runs of Unicode letters/digits: same split as unicode61 and tantivy's simple tokenizer


def log(message):
    print(message, file=sys.stderr, flush=True)


def tokens(text):
    return TOKEN.findall(text.lower())


def read_batches(path, stats):
    """Yields lists of (id, [field texts]) of at most BATCH docs; adds read+parse seconds to stats."""
    with open(path, "r", encoding="utf-8") as handle:
        while True:
            start = time.perf_counter()
            batch = []
            for line in handle:
                if not line.strip():
                    continue
                doc = json.loads(line)
                batch.append((doc["id"], [doc.get(field) or "" for field in FIELDS]))
                if len(batch) >= BATCH:
                    break
            stats["parse_s"] += time.perf_counter() - start
            if not batch:
                return
            stats["docs"] += len(batch)
            yield batch


def percentile(latencies, p):
    if not latencies:
        return 0.0
    return latencies[min(len(latencies) - 1, int(len(latencies) * p))]


class SQLiteFTS5:
    name = "SQLite FTS5"

    def __init__(self, directory):
        self.path = os.path.join(directory, "fts5.sqlite")
        self.db = sqlite3.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1048576", "temp_store=MEMORY"):
            self.db.execute("PRAGMA " + pragma)
        # Contentless table (the texts are not needed back); ids live in a plain table joined for the top 20.
        self.db.execute(
            "CREATE VIRTUAL TABLE t USING fts5(%s, content='', tokenize='unicode61 remove_diacritics 2')"
            % ", ".join(FIELDS))
        self.db.execute("CREATE TABLE ids(n INTEGER PRIMARY KEY, nct TEXT NOT NULL)")
        self.rowid = 0
        self.db.execute("BEGIN")
        weights = ", ".join(str(WEIGHTS[field]) for field in FIELDS)
        self.count_sql = "SELECT count(*) FROM t WHERE t MATCH ?"
        self.top_sql = (
            "SELECT ids.nct FROM (SELECT rowid AS r, bm25(t, %s) AS s FROM t WHERE t MATCH ? ORDER BY s LIMIT %d) AS top"
            " JOIN ids ON ids.n = top.r ORDER BY top.s" % (weights, TOP))

    def add(self, batch):
        rows, ids = [], []
        for nct, texts in batch:
            self.rowid += 1
            rows.append([self.rowid] + texts)
            ids.append((self.rowid, nct))
        self.db.executemany("INSERT INTO t(rowid, %s) VALUES (?, ?, ?, ?, ?, ?)" % ", ".join(FIELDS), rows)
        self.db.executemany("INSERT INTO ids(n, nct) VALUES (?, ?)", ids)

    def finish(self):
        self.db.execute("COMMIT")
        self.db.execute("INSERT INTO t(t) VALUES ('optimize')")  # one b-tree segment, as a read-mostly index would be

    def prepare(self, text):
        words = tokens(text)
        return " ".join('"%s"' % word for word in words) if words else None

    def search(self, query):
        if query is None:
            return 0, []
        total = self.db.execute(self.count_sql, (query,)).fetchone()[0]
        top = [row[0] for row in self.db.execute(self.top_sql, (query,))]
        return total, top

    def size_bytes(self):
        return os.path.getsize(self.path)

    def close(self):
        self.db.close()


class Tantivy:
    name = "tantivy"

    def __init__(self, directory):
        import tantivy

        self.tantivy = tantivy
        self.path = os.path.join(directory, "tantivy")
        os.makedirs(self.path)
        # tantivy's "default" analyzer (simple tokenizer, remove_long(40), lowercase) plus ASCII folding, so
        # "leucémie" and "leucemie" meet as FTS5's remove_diacritics does.
        analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                    .filter(tantivy.Filter.remove_long(40))
                    .filter(tantivy.Filter.lowercase())
                    .filter(tantivy.Filter.ascii_fold())
                    .build())
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        for field in FIELDS:
            builder.add_text_field(field, stored=False, tokenizer_name="default_ascii")
        self.index = tantivy.Index(builder.build(), path=self.path, reuse=False)
        self.index.register_tokenizer("default_ascii", analyzer)
        self.writer = self.index.writer(heap_size=256_000_000)

    def add(self, batch):
        Document = self.tantivy.Document
        for nct, texts in batch:
            document = Document(id=[nct])
            for field, text in zip(FIELDS, texts):
                if text:
                    document.add_text(field, text)
            self.writer.add_document(document)

    def finish(self):
        self.writer.commit()
        self.writer.wait_merging_threads()  # background merges would disturb the latencies
        self.writer = None
        self.index.reload()
        self.searcher = self.index.searcher()

    def prepare(self, text):
        # Tokens are bare letters/digits, quoted so no word is read as query syntax (AND, OR, field:...).
        words = tokens(text)
        return " ".join('"%s"' % word for word in words) if words else None

    def search(self, query):
        if query is None:
            return 0, []
        parsed = self.index.parse_query(
            query, default_field_names=FIELDS, field_boosts=WEIGHTS, conjunction_by_default=True)
        result = self.searcher.search(parsed, TOP, count=True)  # top 20 and the count in one pass
        searcher = self.searcher
        top = [searcher.doc(address).get_first("id") for _, address in result.hits]
        return result.count, top

    def size_bytes(self):
        total = 0
        for root, _, files in os.walk(self.path):
            total += sum(os.path.getsize(os.path.join(root, name)) for name in files)
        return total

    def close(self):
        self.searcher = None
        self.index = None


ENGINES = {"sqlite": SQLiteFTS5, "tantivy": Tantivy}


def measure(engine_class, docs_path, queries, rounds, work_dir):
    directory = tempfile.mkdtemp(prefix=engine_class.__name__.lower() + "-", dir=work_dir)
    try:
        stats = {"docs": 0, "parse_s": 0.0}
        start = time.perf_counter()
        engine = engine_class(directory)
        for batch in read_batches(docs_path, stats):
            engine.add(batch)
        engine.finish()
        wall = time.perf_counter() - start
        prepared = [engine.prepare(text) for text in queries]
        matches = [engine.search(query)[0] for query in prepared]  # warm-up round, not timed
        latencies = []
        gc.disable()
        try:
            for _ in range(rounds):
                for query in prepared:
                    begin = time.perf_counter()
                    engine.search(query)
                    latencies.append((time.perf_counter() - begin) * 1000)
        finally:
            gc.enable()
        latencies.sort()
        size = engine.size_bytes()
        engine.close()
        return {
            "engine": engine_class.name,
            "docs_file": docs_path,
            "docs": stats["docs"],
            "build_s": wall - stats["parse_s"],
            "parse_s": stats["parse_s"],
            "index_bytes": size,
            "queries": len(latencies),
            "p50_ms": percentile(latencies, 0.5),
            "p99_ms": percentile(latencies, 0.99),
            "max_ms": latencies[-1] if latencies else 0.0,
            "mean_matches": sum(matches) / len(matches) if matches else 0.0,
            "matches": {text: count for text, count in zip(queries, matches)},
        }
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", nargs="+", action="extend", required=True, metavar="FILE",
                        help="docs-N.jsonl file(s) from `passerelle bench search --export` (repeatable)")
    parser.add_argument("--queries", required=True, metavar="FILE", help="queries.jsonl from the same export")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds of all queries (after one warm-up)")
    parser.add_argument("--work-dir", metavar="DIR", help="where to build the indexes (default: a temp dir, removed)")
    parser.add_argument("--engines", default="sqlite,tantivy", help="comma-separated subset of: sqlite,tantivy")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the Markdown table")
    parser.add_argument("--per-query", action="store_true", help="also print matches per query and engine")
    args = parser.parse_args()

    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    for name in engines:
        if name not in ENGINES:
            parser.error("unknown engine %r (choose from %s)" % (name, ", ".join(ENGINES)))
    if "tantivy" in engines:
        try:
            import tantivy  # noqa: F401
        except ImportError:
            parser.error("the tantivy module is missing: pip install tantivy")
    with open(args.queries, encoding="utf-8") as handle:
        queries = [json.loads(line)["text"] for line in handle if line.strip()]
    if not queries:
        parser.error("no queries in " + args.queries)

    own_dir = args.work_dir is None
    work_dir = tempfile.mkdtemp(prefix="searchbench-") if own_dir else args.work_dir
    os.makedirs(work_dir, exist_ok=True)
    results = []
    try:
        for docs_path in args.docs:
            if os.path.getsize(docs_path) == 0:
                log("skipping %s: empty" % docs_path)
                continue
            for name in engines:
                log("%s on %s ..." % (ENGINES[name].name, docs_path))
                result = measure(ENGINES[name], docs_path, queries, max(1, args.rounds), work_dir)
                log("  %d docs, build %.2f s (+ %.2f s JSON read/parse), index %.1f MB"
                    % (result["docs"], result["build_s"], result["parse_s"], result["index_bytes"] / 1e6))
                results.append(result)
    finally:
        if own_dir:
            shutil.rmtree(work_dir, ignore_errors=True)

    if args.json:
        import platform
        print(json.dumps({
            "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                        "sqlite": sqlite3.sqlite_version, "tantivy": _tantivy_version()},
            "rounds": args.rounds, "queries": queries, "results": results}, indent=2, ensure_ascii=False))
        return
    print("| engine | docs | build s | queries run | p50 ms | p99 ms | max ms | mean matches |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print("| %s | %d | %.2f | %d | %.3f | %.3f | %.3f | %.1f |" % (
            r["engine"], r["docs"], r["build_s"], r["queries"], r["p50_ms"], r["p99_ms"], r["max_ms"],
            r["mean_matches"]))
    print()
    print("SQLite %s, tantivy %s; keyword AND of lowercased, diacritic-folded tokens, no synonyms, "
          "translation or typo tolerance; build excludes JSON read/parse." % (sqlite3.sqlite_version, _tantivy_version()))
    if args.per_query:
        names = ["%s %d" % (r["engine"], r["docs"]) for r in results]
        print()
        print("| query | " + " | ".join(names) + " |")
        print("| --- | " + " | ".join("---:" for _ in names) + " |")
        for text in queries:
            print("| %s | %s |" % (text, " | ".join(str(r["matches"][text]) for r in results)))


def _tantivy_version():
    from importlib import metadata
    try:
        return metadata.version("tantivy")
    except metadata.PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    main()
