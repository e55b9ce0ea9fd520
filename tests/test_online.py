"""The registry client against a real HTTP server on loopback that plays Crossref, DataCite
and Open Library, in the JSON shapes their documentation and real answers have.

Nothing here reaches the real registries: every base URL points at the local server, and
the environment variables point anything that forgets at a closed local port."""

from __future__ import annotations

import difflib
import json
import re
import shutil
import threading
import time
from email.utils import formatdate
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from citeaudit import __version__
from citeaudit.bibliography import decode_latex, load_bibliography
from citeaudit.errors import CiteauditError
from citeaudit.online import (
    CORRECTED,
    COULD_NOT_CHECK,
    MISMATCH,
    NOT_FOUND,
    POINTS_ELSEWHERE,
    RETRACTED,
    SKIPPED,
    UNMATCHED,
    VERIFIED,
    Client,
    FieldEdit,
    OnlineConfig,
    ResponseCache,
    TerminalProgress,
    Verifier,
    apply_edits,
    enrich_file,
    verify_entries,
    write,
)
from citeaudit.online.cache import FILENAME
from citeaudit.online.client import parse_retry_after
from citeaudit.online.registries import crossref_record, datacite_record
from citeaudit.online.verify import container_similarity, pages_agree, title_similarity

ROOT = Path(__file__).parent.parent
CONTACT = "ci@example.org"

# -- registry answers, in the registries' documented shapes ------------------------------------

TURING = {
    "DOI": "10.1093/mind/lix.236.433",
    "title": ["I.—COMPUTING MACHINERY AND INTELLIGENCE"],
    "author": [{"given": "A. M.", "family": "Turing", "sequence": "first", "affiliation": []}],
    "container-title": ["Mind"],
    "short-container-title": [],
    "volume": "LIX",
    "issue": "236",
    "page": "433-460",
    "issued": {"date-parts": [[1950, 10, 1]]},
    "published-print": {"date-parts": [[1950, 10, 1]]},
    "type": "journal-article",
    "publisher": "Oxford University Press (OUP)",
    "relation": {},
}
WATSON_CRICK = {
    "DOI": "10.1038/171737a0",
    "title": ["Molecular Structure of Nucleic Acids: A Structure for Deoxyribose Nucleic Acid"],
    "author": [{"given": "J. D.", "family": "Watson", "sequence": "first", "affiliation": []},
               {"given": "F. H. C.", "family": "Crick", "sequence": "additional", "affiliation": []}],
    "container-title": ["Nature"],
    "short-container-title": ["Nature"],
    "volume": "171",
    "issue": "4356",
    "page": "737-738",
    "issued": {"date-parts": [[1953, 4]]},
    "published-print": {"date-parts": [[1953, 4]]},
    "type": "journal-article",
    "publisher": "Springer Science and Business Media LLC",
}
HARTLEY = {
    "DOI": "10.1002/j.1538-7305.1928.tb01236.x",
    "title": ["Transmission of Information"],
    "author": [{"given": "R. V. L.", "family": "Hartley", "sequence": "first", "affiliation": []}],
    "container-title": ["Bell System Technical Journal"],
    "page": "535-563",
    "volume": "7",
    "issue": "3",
    "issued": {"date-parts": [[1928, 7]]},
    "type": "journal-article",
    "publisher": "Institute of Electrical and Electronics Engineers (IEEE)",
}
# Crossref's record of a retracted article: Retraction Watch's data in `updated-by`.
WAKEFIELD = {
    "DOI": "10.1016/s0140-6736(97)11096-0",
    "title": [("RETRACTED: Ileal-lymphoid-nodular hyperplasia, non-specific colitis, "
               "and pervasive developmental disorder in children")],
    "container-title": ["The Lancet"],
    "issued": {"date-parts": [[1998, 2]]},
    "published": {"date-parts": [[1998, 2]]},
    "author": [{"given": "AJ", "family": "Wakefield", "sequence": "first", "affiliation": []},
               {"given": "SH", "family": "Murch", "sequence": "additional", "affiliation": []}],
    "type": "journal-article",
    "publisher": "Elsevier BV",
    "volume": "351",
    "issue": "9103",
    "page": "637-641",
    "relation": {},
    "updated-by": [
        {"DOI": "10.1016/s0140-6736(04)15715-2", "type": "correction", "label": "Correction",
         "source": "retraction-watch", "record-id": "17269",
         "updated": {"date-parts": [[2004, 3, 6]], "date-time": "2004-03-06T00:00:00Z", "timestamp": 1078531200000}},
        {"DOI": "10.1016/s0140-6736(10)60175-4", "type": "retraction", "label": "Retraction",
         "source": "retraction-watch", "record-id": "4036",
         "updated": {"date-parts": [[2010, 2, 6]], "date-time": "2010-02-06T00:00:00Z", "timestamp": 1265414400000}},
    ],
}
# ... and the notice itself, which points at the article with `update-to`.
WAKEFIELD_NOTICE = {
    "DOI": "10.1016/s0140-6736(10)60175-4",
    "title": [("Retraction—Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive developmental "
               "disorder in children")],
    "type": "journal-article",
    "issued": {"date-parts": [[2010, 2]]},
    "container-title": ["The Lancet"],
    "publisher": "Elsevier BV",
    "update-to": [{"DOI": "10.1016/s0140-6736(97)11096-0", "type": "retraction", "label": "Retraction",
                   "source": "retraction-watch", "record-id": "4036",
                   "updated": {"date-parts": [[2010, 2, 6]], "date-time": "2010-02-06T00:00:00Z"}}],
}
NATURE_ADDENDUM = {
    "DOI": "10.1038/s41586-020-2012-7",
    "title": ["A pneumonia outbreak associated with a new coronavirus of probable bat origin"],
    "container-title": ["Nature"],
    "issued": {"date-parts": [[2020, 2, 3]]},
    "author": [{"given": "Peng", "family": "Zhou", "sequence": "first", "affiliation": []}],
    "type": "journal-article",
    "volume": "579",
    "issue": "7798",
    "page": "270-273",
    "updated-by": [{"DOI": "10.1038/s41586-020-2951-z", "type": "addendum", "label": "Addendum", "source": "publisher",
                    "updated": {"date-parts": [[2020, 11, 17]], "date-time": "2020-11-17T00:00:00Z"}}],
}
# DataCite's JSON:API answer for GET /dois/{doi}.
DRYAD = {
    "data": {
        "id": "10.5061/dryad.8515",
        "type": "dois",
        "attributes": {
            "doi": "10.5061/dryad.8515",
            "prefix": "10.5061",
            "suffix": "dryad.8515",
            "creators": [
                {"name": "Ollomo, Benjamin", "nameType": "Personal", "givenName": "Benjamin", "familyName": "Ollomo",
                 "affiliation": [], "nameIdentifiers": []},
                {"name": "Durand, Patrick", "nameType": "Personal", "givenName": "Patrick", "familyName": "Durand",
                 "affiliation": [], "nameIdentifiers": []},
            ],
            "titles": [{"title": "Data from: A new malaria agent in African hominids."}],
            "publisher": "Dryad",
            "container": {},
            "publicationYear": 2011,
            "dates": [{"date": "2011", "dateType": "Issued"}],
            "types": {"ris": "DATA", "bibtex": "misc", "citeproc": "dataset", "schemaOrg": "Dataset",
                      "resourceTypeGeneral": "Dataset"},
            "relatedIdentifiers": [{"relationType": "IsCitedBy", "relatedIdentifier": "10.1371/journal.ppat.1000446",
                                    "relatedIdentifierType": "DOI"}],
            "url": "http://datadryad.org/stash/dataset/doi:10.5061/dryad.8515",
            "state": "findable",
            "schemaVersion": "http://datacite.org/schema/kernel-4",
        },
        "relationships": {"client": {"data": {"id": "dryad.dryad", "type": "clients"}}},
    }
}

WORKS = {w["DOI"]: w for w in (TURING, WATSON_CRICK, HARTLEY, WAKEFIELD, WAKEFIELD_NOTICE, NATURE_ADDENDUM)}

MAIN_BIB = r"""% A bibliography with one of each problem.
@article{turing1950,
  author  = {Turing, A. M.},
  title   = {Computing Machinery and Intelligence},
  journal = {Mind},
  volume  = {59},
  pages   = {433--460},
  year    = {1950},
  doi     = {10.1093/mind/LIX.236.433},
}

@article{watson1954,
  author  = {Watson, J. D. and Crick, F. H. C.},
  title   = {Molecular Structure of Nucleic Acids},
  journal = {Nature},
  pages   = {737--738},
  year    = {1954},
  doi     = {https://doi.org/10.1038/171737a0},
}

@article{nosuch2001,
  author  = {Nobody, N.},
  title   = {A Paper that Does Not Exist},
  journal = {Journal of Nothing},
  year    = {2001},
  doi     = {10.9999/no-such-doi},
}

@article{shannon1948,
  author  = {Shannon, Claude E.},
  title   = {A Mathematical Theory of Communication},
  journal = {Bell System Technical Journal},
  year    = {1948},
  doi     = {10.1002/j.1538-7305.1928.tb01236.x},
}

@article{wakefield1998,
  author  = {Wakefield, A. J. and Murch, S. H.},
  title   = {Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive developmental disorder in children},
  journal = {Lancet},
  volume  = {351},
  pages   = {637--641},
  year    = {1998},
  doi     = {10.1016/S0140-6736(97)11096-0},
}

@misc{ollomo2011,
  author  = {Ollomo, Benjamin and Durand, Patrick},
  title   = {Data from: A new malaria agent in African hominids},
  year    = {2011},
  doi     = {10.5061/dryad.8515},
}

@book{cse1976bad,
  author  = {{Conference of Socialist Economists}},
  title   = {The Labour Process and Class Strategies},
  year    = {1976},
  isbn    = {0-85035-025-4},
}
"""


# -- the fake registries -------------------------------------------------------------------------


def _json(data, status=200, content_type="application/json;charset=utf-8", headers=None) -> Response:
    return Response(json.dumps(data), status=status, content_type=content_type, headers=headers or {})


def _words(text: str) -> set[str]:
    return set(bib_fold_words(text))


def bib_fold_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


class FakeRegistries:
    """Crossref under /crossref, DataCite under /datacite, Open Library under /openlibrary."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.works: dict[str, dict] = {k.lower(): v for k, v in WORKS.items()}
        self.datacite: dict[str, dict] = {"10.5061/dryad.8515": DRYAD}
        self.agencies: dict[str, tuple[str, str]] = {}
        self.editions: dict[str, tuple[str, dict]] = {}
        self.authors: dict[str, str] = {}
        self.searchable: list[dict] = []
        self.scripts: dict[str, list] = {}  # path -> answers served first, in order
        self.user_agents: list[str] = []
        self.lock = threading.Lock()
        server.expect_request(re.compile(r"^/.*")).respond_with_handler(self.handle)

    def url(self, registry: str) -> str:
        return self.server.url_for(f"/{registry}")

    def config(self, cache_dir, **kw) -> OnlineConfig:
        settings = dict(
            contact=CONTACT, cache_dir=str(cache_dir) if cache_dir else None, crossref_url=self.url("crossref"),
            datacite_url=self.url("datacite"), openlibrary_url=self.url("openlibrary"),
            connect_timeout=2.0, read_timeout=2.0, total_timeout=5.0, retries=2, backoff=0.001, backoff_max=0.005,
            retry_after_max=10.0, rate=0, down_after=2,
        )
        settings.update(kw)
        return OnlineConfig(**settings)

    @property
    def requests(self) -> int:
        return len(self.server.log)

    def paths(self) -> list[str]:
        return [req.path for req, _ in self.server.log]

    def script(self, path: str, *answers) -> None:
        self.scripts.setdefault(path, []).extend(answers)

    def handle(self, request: Request) -> Response:
        self.user_agents.append(request.headers.get("User-Agent", ""))
        path = request.path
        with self.lock:
            queue = self.scripts.get(path)
            answer = queue.pop(0) if queue else None
        if answer is not None:
            return answer if isinstance(answer, Response) else answer(request)
        if path.startswith("/crossref/"):
            return self.crossref(request, path[len("/crossref"):])
        if path.startswith("/datacite/dois/"):
            doi = path[len("/datacite/dois/"):].lower()
            if doi in self.datacite:
                return _json(self.datacite[doi], content_type="application/vnd.api+json; charset=utf-8")
            return _json({"errors": [{"status": "404", "title": "The resource you are looking for doesn't exist."}]},
                         404, "application/vnd.api+json; charset=utf-8")
        if path.startswith("/openlibrary/"):
            return self.openlibrary(path[len("/openlibrary"):])
        return Response("no such route", status=404, content_type="text/plain")

    def crossref(self, request: Request, path: str) -> Response:
        limits = {"X-Rate-Limit-Limit": "50", "X-Rate-Limit-Interval": "1s"}
        if path == "/works":
            return self.search(request, limits)
        m = re.fullmatch(r"/works/(.+?)(/agency)?", path)
        if not m:
            return Response("Resource not found.", status=404, content_type="text/plain")
        doi = m.group(1).lower()
        if m.group(2):
            if doi in self.works:
                agency = ("crossref", "Crossref")
            elif doi in self.datacite:
                agency = ("datacite", "DataCite")
            elif doi in self.agencies:
                agency = self.agencies[doi]
            else:
                return Response("Resource not found.", status=404, content_type="text/plain")
            return _json({"status": "ok", "message-type": "work-agency", "message-version": "1.0.0",
                          "message": {"DOI": doi, "agency": {"id": agency[0], "label": agency[1]}}}, headers=limits)
        if doi not in self.works:
            return Response("Resource not found.", status=404, content_type="text/plain")
        return _json({"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": self.works[doi]},
                     headers=limits)

    def search(self, request: Request, limits) -> Response:
        query = request.args.get("query.bibliographic", "") + " " + request.args.get("query.author", "")
        rows = int(request.args.get("rows", "20"))
        years = None
        m = re.search(r"from-pub-date:(\d{4}),until-pub-date:(\d{4})", request.args.get("filter", ""))
        if m:
            years = range(int(m.group(1)), int(m.group(2)) + 1)
        wanted = _words(query)
        items = []
        for work in self.searchable:
            text = " ".join(work.get("title", []) + [a.get("family", "") for a in work.get("author", [])])
            overlap = len(wanted & _words(text))
            year = work["issued"]["date-parts"][0][0]
            if overlap and (years is None or year in years):
                items.append(dict(work, score=float(overlap)))
        items.sort(key=lambda w: -w["score"])
        return _json({"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
                      "message": {"facets": {}, "total-results": len(items), "items": items[:rows],
                                  "items-per-page": rows, "query": {"start-index": 0, "search-terms": query}}},
                     headers=limits)

    def openlibrary(self, path: str) -> Response:
        m = re.fullmatch(r"/isbn/([0-9X]+)\.json", path)
        if m:
            if m.group(1) not in self.editions:
                return Response("Not Found", status=404, content_type="text/html")
            olid, _ = self.editions[m.group(1)]
            return Response("", status=302, headers={"Location": f"/openlibrary/books/{olid}.json"})
        m = re.fullmatch(r"/books/(OL\d+M)\.json", path)
        if m:
            for olid, edition in self.editions.values():
                if olid == m.group(1):
                    return _json(edition)
        m = re.fullmatch(r"/authors/(OL\d+A)\.json", path)
        if m and m.group(1) in self.authors:
            return _json({"key": f"/authors/{m.group(1)}", "name": self.authors[m.group(1)],
                          "type": {"key": "/type/author"}})
        return Response("Not Found", status=404, content_type="text/html")


@pytest.fixture(autouse=True)
def _no_real_registries(monkeypatch):
    """Anything that reads the environment lands on a closed loopback port, never the internet."""
    for name in ("CITEAUDIT_CROSSREF_URL", "CITEAUDIT_DATACITE_URL", "CITEAUDIT_OPENLIBRARY_URL"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("CITEAUDIT_CACHE_DIR", raising=False)
    monkeypatch.delenv("CITEAUDIT_CONTACT", raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")


def _start() -> HTTPServer:
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    return srv


@pytest.fixture(scope="module")
def shared_server():
    srv = _start()  # one for the module: stopping a server takes half a second
    yield srv
    srv.clear()
    srv.stop()


@pytest.fixture
def server(shared_server):
    shared_server.clear()  # handlers and log
    yield shared_server
    shared_server.clear()


@pytest.fixture
def own_server():
    """A server of the test's own, for the test that stops it."""
    srv = _start()
    yield srv
    if srv.is_running():
        srv.clear()
        srv.stop()


@pytest.fixture
def fake(server) -> FakeRegistries:
    return FakeRegistries(server)


def entries_of(tmp_path: Path, text: str, name: str = "refs.bib"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_bibliography([path]).entries


def one_entry(tmp_path: Path, doi: str = "10.1093/mind/LIX.236.433"):
    return entries_of(tmp_path, MAIN_BIB.split("@article{watson1954")[0].replace("10.1093/mind/LIX.236.433", doi))


class Sleeps(list):
    """A sleep that records and does not wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def verify(fake, tmp_path, entries, client=None, **kw):
    config = fake.config(tmp_path / "cache", **kw)
    return verify_entries(entries, config, client=client)


# -- the verdicts ------------------------------------------------------------------------------


def test_a_bib_with_one_of_each_problem_gives_exactly_those_findings(fake, tmp_path):
    entries = entries_of(tmp_path, MAIN_BIB)
    report = verify(fake, tmp_path, entries)
    kinds = {v.key: v.kind for v in report.verdicts}
    assert kinds == {
        "turing1950": VERIFIED, "watson1954": MISMATCH, "nosuch2001": NOT_FOUND, "shannon1948": POINTS_ELSEWHERE,
        "wakefield1998": RETRACTED, "ollomo2011": VERIFIED, "cse1976bad": SKIPPED,
    }
    found = {(v.key, h.rule, h.subject, h.severity) for v, h in report.hits()}
    assert found == {
        ("watson1954", "metadata-mismatch", "watson1954:year", "warning"),
        ("nosuch2001", "unknown-identifier", "nosuch2001:doi:10.9999/no-such-doi", "error"),
        ("shannon1948", "identifier-points-elsewhere", "shannon1948:doi:10.1002/j.1538-7305.1928.tb01236.x", "error"),
        ("wakefield1998", "retracted-work", "wakefield1998:retraction", "error"),
    }
    by_key = {v.key: v for v in report.verdicts}
    # a mismatch shows both values
    (year,) = by_key["watson1954"].mismatches
    assert (year.field, year.bib_value, year.registry_value) == ("year", "1954", "1953")
    assert "the .bib has “1954”, Crossref has “1953”" in by_key["watson1954"].hits()[0].message
    # the retraction names its notice and Retraction Watch's record
    wakefield = by_key["wakefield1998"]
    assert wakefield.notices[0].type == "retraction" and wakefield.notices[0].record_id == "4036"
    assert "10.1016/s0140-6736(10)60175-4" in wakefield.hits()[0].message and "Retraction Watch" in wakefield.reason
    assert not wakefield.mismatches  # "RETRACTED:" and "Lancet"/"The Lancet" are no mismatch
    # the other article: both titles and both authors in the message
    elsewhere = by_key["shannon1948"].reason
    assert "Transmission of Information" in elsewhere and "Hartley" in elsewhere and "Shannon" in elsewhere
    # DataCite answered for the DOI Crossref does not hold
    assert by_key["ollomo2011"].registry == "datacite"
    # the ISBN with a bad checksum was not asked about
    assert "checksum" in by_key["cse1976bad"].reason
    assert not any("isbn" in p for p in fake.paths())
    # the User-Agent names the tool, its version and the contact (Crossref's polite pool)
    assert set(fake.user_agents) == {f"citeaudit/{__version__} (+https://github.com/citeaudit/citeaudit; mailto:{CONTACT})"}
    assert report.summary().startswith("7 entries: 2 verified, 1 mismatch, 1 not found, 1 points elsewhere, 1 retracted")


def test_a_second_run_asks_nothing_and_offline_uses_the_cache_only(fake, tmp_path):
    entries = entries_of(tmp_path, MAIN_BIB)
    first = verify(fake, tmp_path, entries)
    asked = fake.requests
    assert asked == first.requests > 0
    second = verify(fake, tmp_path, entries)
    assert fake.requests == asked and second.requests == 0  # counted on the server
    assert [(v.key, v.kind, v.reason) for v in second.verdicts] == [(v.key, v.kind, v.reason) for v in first.verdicts]
    assert {h.subject for _, h in second.hits()} == {h.subject for _, h in first.hits()}
    offline = verify(fake, tmp_path, entries, offline=True)
    assert fake.requests == asked
    assert [v.kind for v in offline.verdicts] == [v.kind for v in first.verdicts]
    assert "(offline)" in offline.summary()
    # offline with an empty cache: could not check, never "not found"
    empty = verify_entries(entries, fake.config(tmp_path / "empty-cache", offline=True))
    assert fake.requests == asked
    assert {v.kind for v in empty.verdicts} == {COULD_NOT_CHECK, SKIPPED}
    assert all("offline" in v.reason for v in empty.verdicts if v.kind == COULD_NOT_CHECK)


def test_the_cache_expires(fake, tmp_path):
    entries = one_entry(tmp_path)
    verify(fake, tmp_path, entries)
    asked = fake.requests
    verify(fake, tmp_path, entries, cache_expiry=0.0)
    assert fake.requests == asked + 1


def test_404_is_not_found_but_500_timeouts_and_garbage_are_could_not_check(fake, tmp_path):
    entries = one_entry(tmp_path, "10.9999/missing")
    assert verify(fake, tmp_path, entries).verdicts[0].kind == NOT_FOUND
    paths = fake.paths()
    assert paths == ["/crossref/works/10.9999/missing", "/datacite/dois/10.9999/missing",
                     "/crossref/works/10.9999/missing/agency"]
    # Crossref says 404, DataCite is down: that is no "not found"
    entries = one_entry(tmp_path, "10.9999/other")
    fake.script("/datacite/dois/10.9999/other", *[Response("oops", status=500)] * 3)
    v = verify(fake, tmp_path, entries).verdicts[0]
    assert v.kind == COULD_NOT_CHECK and "DataCite could not be asked" in v.reason and "HTTP 500" in v.reason
    assert [h.rule for h in v.hits()] == ["registry-unavailable"]


def test_500s_are_retried_then_could_not_check(fake, tmp_path):
    path = "/crossref/works/10.1093/mind/lix.236.433"
    fake.script(path, Response("busy", status=503), Response("busy", status=500))
    v = verify(fake, tmp_path, one_entry(tmp_path)).verdicts[0]
    assert v.kind == VERIFIED and fake.paths().count(path) == 3
    fake.script(path, *[Response("down", status=500)] * 3)
    fake.script("/datacite/dois/10.1093/mind/lix.236.433", *[Response("down", status=502)] * 3)
    v = verify(fake, tmp_path / "again", one_entry(tmp_path)).verdicts[0]
    assert v.kind == COULD_NOT_CHECK and "answered HTTP 500 after 3 tries" in v.reason


def test_429_waits_as_long_as_retry_after_says(fake, tmp_path):
    path = "/crossref/works/10.1093/mind/lix.236.433"
    fake.script(path, Response("slow down", status=429, headers={"Retry-After": "2"}))
    sleeps = Sleeps()
    config = fake.config(tmp_path / "cache")
    client = Client(config, sleep=sleeps)
    v = Verifier(config, client).verify(one_entry(tmp_path)[0])
    assert v.kind == VERIFIED and fake.paths().count(path) == 2
    assert sleeps == [2.0]  # the backoff (a few ms) gives way to Retry-After
    # an HTTP date works too, and a wait longer than retry_after_max is not waited for
    assert 58 <= parse_retry_after(formatdate(time.time() + 60, usegmt=True)) <= 61
    fake.script("/crossref/works/10.1038/171737a0", Response("", status=429, headers={"Retry-After": "3600"}))
    entries = entries_of(tmp_path, MAIN_BIB.split("@article{nosuch2001")[0])
    v = Verifier(config, Client(config, sleep=sleeps)).verify(entries[1])
    assert v.kind == COULD_NOT_CHECK and "asks to wait 3600 s" in v.reason
    assert fake.paths().count("/crossref/works/10.1038/171737a0") == 1 and sleeps == [2.0]


def test_timeouts_are_could_not_check(fake, tmp_path):
    def slow(request):
        time.sleep(0.5)
        return _json({"message": TURING})

    fake.script("/crossref/works/10.1093/mind/lix.236.433", slow, slow)
    fake.script("/datacite/dois/10.1093/mind/lix.236.433", slow, slow)
    started = time.monotonic()
    v = verify(fake, tmp_path, one_entry(tmp_path), read_timeout=0.1, retries=1).verdicts[0]
    assert time.monotonic() - started < 2
    assert v.kind == COULD_NOT_CHECK and "did not answer within 0.1 s" in v.reason


@pytest.mark.parametrize(
    "answer, reason",
    [
        (Response('{"status": "ok", "message": {', status=200, content_type="application/json"), "malformed JSON"),
        (Response("<html><body>Service unavailable</body></html>", status=200, content_type="text/html"),
         "answered text/html, not JSON"),
        (Response("{}", status=200, headers={"Content-Type": ""}), "without a content type"),
        (_json({"status": "ok", "message-type": "work", "message": "not a work"}), "unexpected answer from Crossref"),
        (_json(["a", "list"]), "unexpected answer from Crossref"),
        (Response("teapot", status=418), "answered HTTP 418"),
    ],
)
def test_garbled_answers_are_could_not_check_and_not_cached(fake, tmp_path, answer, reason):
    fake.script("/crossref/works/10.1093/mind/lix.236.433", answer)
    v = verify(fake, tmp_path, one_entry(tmp_path), retries=0).verdicts[0]
    assert v.kind == COULD_NOT_CHECK and reason in v.reason, v.reason
    assert verify(fake, tmp_path, one_entry(tmp_path)).verdicts[0].kind == VERIFIED  # asked again, not cached


def test_a_huge_body_is_cut_off(fake, tmp_path):
    def stream(request):
        def chunks():
            yield b'{"status": "ok", "message": {"title": ["'
            for _ in range(80):  # 5 MiB, chunked: no Content-Length to go by
                yield b"x" * 65536
            yield b'"]}}'
        return Response(chunks(), status=200, content_type="application/json")

    path = "/crossref/works/10.1093/mind/lix.236.433"
    fake.script(path, stream)
    started = time.monotonic()
    v = verify(fake, tmp_path, one_entry(tmp_path), max_bytes=1024 * 1024, retries=0).verdicts[0]
    assert v.kind == COULD_NOT_CHECK and "more than the 1.0 MiB limit" in v.reason
    assert time.monotonic() - started < 3
    fake.script(path, Response(b"{" + b" " * (3 * 1024 * 1024) + b"}", content_type="application/json"))
    v = verify(fake, tmp_path, one_entry(tmp_path), max_bytes=1024 * 1024, retries=0).verdicts[0]
    assert v.kind == COULD_NOT_CHECK and "sent 3.0 MiB, over the 1.0 MiB limit" in v.reason


def test_stopping_the_server_mid_run_gives_could_not_check_for_the_rest(own_server, tmp_path):
    server = own_server
    fake = FakeRegistries(server)
    entries = entries_of(tmp_path, MAIN_BIB.replace("@book{cse1976bad", "@book{cse1976badx"))
    assert len(entries) == 7

    def progress(done, total, key):
        if done == 2:
            server.stop()

    config = fake.config(tmp_path / "cache", retries=1)
    started = time.monotonic()
    report = verify_entries(entries, config, progress=progress)
    assert time.monotonic() - started < 5
    kinds = [v.kind for v in report.verdicts]
    assert kinds[:2] == [VERIFIED, MISMATCH]
    assert kinds[2:] == [COULD_NOT_CHECK] * 4 + [SKIPPED]
    assert all("could not connect" in v.reason or "taken as down" in v.reason for v in report.verdicts[2:6])
    assert {h.rule for v, h in report.hits() if v.key not in ("turing1950", "watson1954")} == {"registry-unavailable"}
    summary = report.summary()
    assert summary.startswith("7 entries: 1 verified, 1 mismatch, 4 could not check, 1 skipped")
    assert "taken as down" in summary
    assert "watson1954: mismatch" in report.text()


def test_a_registry_down_does_not_stop_the_other(fake, tmp_path):
    """Crossref failing, DataCite answers for its own DOI."""
    fake.script("/crossref/works/10.5061/dryad.8515", *[Response("down", status=503)] * 3)
    entries = [e for e in entries_of(tmp_path, MAIN_BIB) if e.key == "ollomo2011"]
    assert verify(fake, tmp_path, entries).verdicts[0].kind == VERIFIED


def test_a_doi_of_another_agency_is_not_unknown(fake, tmp_path):
    fake.agencies["10.1400/12345"] = ("medra", "mEDRA")
    v = verify(fake, tmp_path, one_entry(tmp_path, "10.1400/12345")).verdicts[0]
    assert v.kind == COULD_NOT_CHECK and "registered with mEDRA" in v.reason


def test_corrections_and_notices_instead_of_works(fake, tmp_path):
    bib = r"""
@article{zhou2020,
  author = {Zhou, Peng}, title = {A pneumonia outbreak associated with a new coronavirus of probable bat origin},
  journal = {Nature}, year = {2020}, pages = {270--273}, doi = {10.1038/s41586-020-2012-7}}
@article{wakefield1998,
  author = {Wakefield, A. J.}, title = {Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and pervasive
  developmental disorder in children}, journal = {The Lancet}, year = {1998}, doi = {10.1016/s0140-6736(10)60175-4}}
"""
    zhou, notice = verify(fake, tmp_path, entries_of(tmp_path, bib)).verdicts
    assert zhou.kind == CORRECTED and zhou.notices[0].type == "addendum"
    assert [(h.rule, h.severity) for h in zhou.hits()] == [("retracted-work", "warning")]
    assert notice.kind == POINTS_ELSEWHERE and "retraction notice" in notice.reason
    assert [(p.field, p.new) for p in notice.proposals] == [("doi", "10.1016/s0140-6736(97)11096-0")]


def test_rate_limit_per_host_and_learnt_from_crossref_headers(fake, tmp_path):
    class Clock:
        now = 100.0

        def __call__(self):
            return self.now

    clock, sleeps = Clock(), Sleeps()

    def sleep(s):
        sleeps.append(s)
        clock.now += s

    config = fake.config(None, rate=2.0)
    client = Client(config, sleep=sleep, clock=clock)
    for _ in range(3):
        assert client.get_json(fake.url("datacite") + "/dois/10.5061/dryad.8515").ok
    assert sleeps == [0.5, 0.5]
    fake.server.clear_log()
    fake.script("/crossref/works/10.1038/171737a0", *[
        _json({"message-type": "work", "message": WATSON_CRICK},
              headers={"X-Rate-Limit-Limit": "1", "X-Rate-Limit-Interval": "1s"})] * 3)
    sleeps.clear()
    for _ in range(3):
        assert client.get_json(fake.url("crossref") + "/works/10.1038/171737a0").ok
    # one host (the test server plays both registries): the first wait follows on from the three
    # requests above; the first answer lowered the rate to 1 a second, which the third one keeps
    assert sleeps == [0.5, 0.5, 1.0]


def test_the_environment_points_the_client_elsewhere(tmp_path):
    env = {"CITEAUDIT_CROSSREF_URL": "http://127.0.0.1:8001/cr/", "CITEAUDIT_DATACITE_URL": "http://127.0.0.1:8002",
           "CITEAUDIT_OPENLIBRARY_URL": "http://127.0.0.1:8003", "CITEAUDIT_CACHE_DIR": str(tmp_path / "c"),
           "CITEAUDIT_CONTACT": "env@example.org"}
    cfg = OnlineConfig.from_env(env, crossref_url="https://mirror.example.org", **{"read-timeout": 3})
    assert (cfg.crossref_url, cfg.datacite_url, cfg.openlibrary_url) == (
        "http://127.0.0.1:8001/cr", "http://127.0.0.1:8002", "http://127.0.0.1:8003")
    assert cfg.cache_dir == str(tmp_path / "c") and cfg.read_timeout == 3 and cfg.contact == "env@example.org"
    assert cfg.user_agent().endswith("; mailto:env@example.org)")
    plain = OnlineConfig.from_env({"XDG_CACHE_HOME": str(tmp_path)})
    assert plain.crossref_url == "https://api.crossref.org" and plain.cache_dir == str(tmp_path / "citeaudit")
    with pytest.raises(CiteauditError, match="unknown online setting"):
        OnlineConfig.from_env({}, colour="blue")
    with pytest.raises(CiteauditError, match="http"):
        OnlineConfig.from_env({"CITEAUDIT_CROSSREF_URL": "ftp://example.org"})


# -- the cache ---------------------------------------------------------------------------------


def test_two_runs_at_once_share_the_cache(fake, tmp_path):
    entries = entries_of(tmp_path, MAIN_BIB)
    config = fake.config(tmp_path / "cache")
    results, errors = [], []

    def run():
        try:
            results.append(verify_entries(entries, config))
        except Exception as exc:  # pragma: no cover - the test fails on it
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and len(results) == 2
    assert [v.kind for v in results[0].verdicts] == [v.kind for v in results[1].verdicts]
    assert all(r.cache_error is None for r in results)
    asked = fake.requests
    assert verify_entries(entries, config).requests == 0 and fake.requests == asked
    # many writers on one file
    caches = [ResponseCache(str(tmp_path / "shared")) for _ in range(4)]

    def fill(i):
        for n in range(50):
            caches[i].put(f"http://x/{i}/{n}", 200, "application/json", b"{}")

    writers = [threading.Thread(target=fill, args=(i,)) for i in range(4)]
    for t in writers:
        t.start()
    for t in writers:
        t.join(30)
    assert len(caches[0]) == 200 and all(c.error is None for c in caches)


def test_a_broken_cache_is_not_used_and_stops_nothing(fake, tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / FILENAME).write_bytes(b"this is not an SQLite database" * 100)
    report = verify(fake, tmp_path, one_entry(tmp_path))
    assert report.verdicts[0].kind == VERIFIED
    assert report.cache_error and "not used" in report.summary()


# -- the search for entries with neither DOI nor ISBN ------------------------------------------


SEARCH_BIB = r"""
@article{turing1950,
  author = {Turing, Alan},
  title = {Computing machinery and intelligence},
  journal = {Mind},
  year = {1950},
}
@article{watson1953,
  author = {Watson, James},
  title = {Molecular structure of nucleic acids},
  journal = {Nature},
  year = {1953},
}
@book{hartley1928,
  author = {Hartley, Ralph},
  title = {Transmission of Information},
  year = {1928},
}
"""


def test_the_search_proposes_a_doi_only_for_one_clear_candidate(fake, tmp_path):
    reprint = dict(WATSON_CRICK, DOI="10.1038/171737a0-reprint")
    fake.searchable = [TURING, HARTLEY, WATSON_CRICK, reprint, WAKEFIELD]
    turing, watson, hartley = verify(fake, tmp_path, entries_of(tmp_path, SEARCH_BIB)).verdicts
    assert turing.kind == VERIFIED and turing.identifier is None
    assert [(p.field, p.new) for p in turing.proposals] == [("doi", "10.1093/mind/lix.236.433"), ("pages", "433--460")]
    assert "found one work that fits" in turing.reason
    assert watson.kind == UNMATCHED and not watson.proposals and "2 works in Crossref fit equally" in watson.reason
    assert hartley.kind == UNMATCHED and not hartley.proposals  # a @book is not a journal article
    assert not turing.hits() and not watson.hits() and not hartley.hits()
    (query,) = [req for req, _ in fake.server.log if req.args.get("query.author") == "Turing"]
    assert query.args["query.bibliographic"] == "Computing machinery and intelligence"
    assert query.args["filter"] == "from-pub-date:1949,until-pub-date:1951" and query.args["rows"] == "5"
    asked = fake.requests
    again = verify(fake, tmp_path, entries_of(tmp_path, SEARCH_BIB))
    assert fake.requests == asked and again.cache_hits == 3  # searches are cached too
    assert [v.kind for v in again.verdicts] == [VERIFIED, UNMATCHED, UNMATCHED]


def test_the_search_down_is_could_not_check(fake, tmp_path):
    fake.script("/crossref/works", *[Response("", status=503)] * 3)
    v = verify(fake, tmp_path, entries_of(tmp_path, SEARCH_BIB)[:1]).verdicts[0]
    assert v.kind == COULD_NOT_CHECK and "search" in v.reason


# -- the comparison ------------------------------------------------------------------------------


def test_fuzzy_comparison():
    rec = crossref_record(dict(TURING, subtitle=["A Study"]), "u")
    assert title_similarity("Computing Machinery and Intelligence", rec) > 0.9
    assert title_similarity("Computing machinery & intelligence: another subtitle", rec) > 0.9
    assert title_similarity("Transmission of Information", rec) < 0.5
    assert pages_agree("433--60", "433-460") and pages_agree("433", "433-460") and not pages_agree("434--460", "433-460")
    assert pages_agree("xiii--l", "xiii-l")
    jacs = crossref_record({"title": ["t"], "container-title": ["Journal of the American Chemical Society"],
                            "short-container-title": ["J. Am. Chem. Soc."]}, "u")
    for name in ("J. Am. Chem. Soc.", "J Am Chem Soc", "Journal of the American Chemical Society", "JACS"):
        assert container_similarity(name, jacs) >= 0.85, name
    assert container_similarity("Physical Review Letters", jacs) < 0.85
    dryad = datacite_record(DRYAD, "u")
    assert dryad.authors == ("Ollomo", "Durand") and dryad.year == "2011" and dryad.type == "Dataset"


def test_open_library_by_isbn(fake, tmp_path):
    fake.editions["0850350255"] = ("OL7M", {
        "key": "/books/OL7M", "type": {"key": "/type/edition"}, "title": "The labour process & class strategies",
        "publishers": ["Stage 1"], "publish_date": "1976", "authors": [{"key": "/authors/OL9A"}],
        "isbn_10": ["0850350255"], "number_of_pages": 152})
    fake.authors["OL9A"] = "Conference of Socialist Economists"
    bib = MAIN_BIB.split("@book{cse1976bad")[1].replace("025-4", "025-5").replace("{1976}", "{1977}")
    (v,) = verify(fake, tmp_path, entries_of(tmp_path, "@book{cse1976" + bib)).verdicts
    assert v.kind == MISMATCH and v.registry == "openlibrary"
    assert [(m.field, m.bib_value, m.registry_value) for m in v.mismatches] == [("year", "1977", "1976")]
    assert [(p.field, p.new) for p in v.proposals] == [("year", "1976"), ("publisher", "Stage 1")]
    assert fake.paths() == ["/openlibrary/isbn/0850350255.json", "/openlibrary/books/OL7M.json",
                            "/openlibrary/authors/OL9A.json"]
    (v,) = verify(fake, tmp_path, entries_of(tmp_path, "@book{x, title = {T}, isbn = {978-0-306-40615-7}}")).verdicts
    assert v.kind == NOT_FOUND and [h.rule for h in v.hits()] == ["unknown-identifier"]


# -- enrich ------------------------------------------------------------------------------------


def _seed_registry(fake: FakeRegistries, barcelona_pages: str) -> None:
    """Crossref and Open Library as the seeds' works would be found in them."""
    fake.searchable = [
        {"DOI": "10.1163/1569206x-12341405", "title": ["Conference on the Dictatorship of the Proletariat in Barcelona"],
         "author": [{"given": "Louis", "family": "Althusser", "sequence": "first"}],
         "container-title": ["Historical Materialism"], "volume": "23", "issue": "1", "page": barcelona_pages,
         "issued": {"date-parts": [[2015]]}, "type": "journal-article", "publisher": "Brill"},
        {"DOI": "10.5555/reproduction", "title": ["On the Reproduction of Capitalism"],
         "subtitle": ["Ideology and Ideological State Apparatuses"],
         "author": [{"given": "Louis", "family": "Althusser", "sequence": "first"}],
         "issued": {"date-parts": [[2014]]}, "type": "book", "publisher": "Verso"},
        {"DOI": "10.5555/reproduction-ch1", "title": ["On the Reproduction of Capitalism"],
         "author": [{"given": "Louis", "family": "Althusser", "sequence": "first"}],
         "container-title": ["On the Reproduction of Capitalism"],
         "issued": {"date-parts": [[2014]]}, "type": "book-chapter", "publisher": "Verso"},
        {"DOI": "10.5555/brumaire-review", "title": ["The Eighteenth Brumaire of Louis Bonaparte"],
         "author": [{"given": "A.", "family": "Reviewer", "sequence": "first"}],
         "issued": {"date-parts": [[1852]]}, "type": "journal-article"},
    ]
    fake.editions["0850350255"] = ("OL7M", {
        "key": "/books/OL7M", "title": "The Labour Process and Class Strategies", "publishers": ["Stage 1"],
        "publish_date": "1976", "authors": [{"key": "/authors/OL9A"}], "isbn_10": ["0850350255"]})
    fake.authors["OL9A"] = "Conference of Socialist Economists"


def test_enrich_the_seeds_changes_only_the_proposed_fields(fake, tmp_path):
    bib = tmp_path / "seeds.bib"
    shutil.copyfile(ROOT / "bib" / "seeds.bib", bib)
    original = bib.read_bytes()
    entries = load_bibliography([bib]).entries
    # the registry starts the Barcelona talk one page later than the .bib does
    first, last = re.findall(r"\d+", {e.key: e for e in entries}["althusser2015barcelona"].fields["pages"])[:2]
    moved = f"{int(first) + 1}--{last}"
    _seed_registry(fake, moved.replace("--", "-"))
    report = verify(fake, tmp_path, entries)
    assert not [v for v in report.verdicts if v.kind == COULD_NOT_CHECK]
    edits = report.proposals()
    assert sorted((e.key, e.field, e.new) for e in edits) == [
        ("althusser2014reproduction", "doi", "10.5555/reproduction"),
        ("althusser2015barcelona", "doi", "10.1163/1569206x-12341405"),
        ("althusser2015barcelona", "pages", moved),
    ]
    by_key = {v.key: v for v in report.verdicts}
    assert by_key["althusser2015barcelona"].kind == MISMATCH and by_key["cse1976labour"].kind == VERIFIED
    assert by_key["marx1852brumaire"].kind == UNMATCHED  # a review of the same title is not the book

    result = enrich_file(bib, edits)
    assert len(result.applied) == 3 and not result.skipped
    assert bib.read_bytes() == original  # nothing written yet
    diff = result.diff()
    assert diff.startswith(f"--- a/{bib}\n+++ b/{bib}\n")
    changed = [ln for ln in diff.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    (old_pages,) = [ln for ln in original.decode("utf-8").splitlines() if re.match(rf"\s*pages\s*=\s*\{{{first}--{last}\}}", ln)]
    assert changed[:2] == ["-" + old_pages, "+" + old_pages.replace(f"{first}--{last}", moved)]
    assert [re.sub(r"\s+", " ", ln) for ln in changed[2:]] == [
        "+ doi = {10.1163/1569206x-12341405},", "+ doi = {10.5555/reproduction},"]
    assert changed[2].index("=") == old_pages.index("=") + 1  # aligned like the fields above
    # byte for byte the same outside the changed fields
    old_lines = original.decode("utf-8").splitlines(keepends=True)
    new_lines = result.new_text.splitlines(keepends=True)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        assert all(re.match(r"  (pages|doi) +=", line) for line in old_lines[i1:i2] + new_lines[j1:j2]), (op, i1, j1)

    backup = write(result)
    assert backup == str(bib) + ".bak" and Path(backup).read_bytes() == original
    assert bib.read_bytes() == result.new_text.encode("utf-8")
    after = {e.key: e.fields for e in load_bibliography([bib]).entries}
    before = {e.key: e.fields for e in entries}
    assert list(after) == list(before)
    for key, fields in before.items():
        expected = dict(fields)
        expected.update({e.field: decode_latex(e.new) for e in edits if e.key == key})
        assert after[key] == expected, key
    # a second enrich with the same proposals changes nothing; writing nothing makes no backup
    again = enrich_file(bib, edits)
    assert not again.changed and again.diff() == "" and write(again) is None
    assert not Path(str(bib) + ".bak.1").exists()


def test_apply_edits_keeps_every_other_byte():
    text = (
        "%@article{a, title = {commented out}}\r\n"
        "@article{a,\r\n  title = \"A Title\",\r\n  year = 1999\r\n}\r\n"
        "@book{b, author = {B, B}, title = {T}}\r\n"
        "@book{c,}\r\n"
    )
    edits = [
        FieldEdit("a", "year", "1999", "2000", "r"),
        FieldEdit("a", "doi", None, "10.1000/x_y", "r"),
        FieldEdit("a", "title", "A Title", "New & Improved", "r"),
        FieldEdit("b", "publisher", None, "Éditions Sociales", "r"),
        FieldEdit("c", "year", None, "2001", "r"),
        FieldEdit("zzz", "year", None, "2001", "r"),
    ]
    new, applied, skipped = apply_edits(text, edits)
    assert new == (
        "%@article{a, title = {commented out}}\r\n"
        "@article{a,\r\n  title = \"New \\& Improved\",\r\n  year = 2000,\r\n  doi = {10.1000/x_y}\r\n}\r\n"
        "@book{b, author = {B, B}, title = {T}, publisher = {{\\'E}ditions Sociales}}\r\n"
        "@book{c,\r\n  year = {2001}\r\n}\r\n"
    )
    assert [s.edit.key for s in skipped] == ["zzz"] and len(applied) == 5


def test_write_refuses_a_file_changed_since_it_was_read(tmp_path):
    bib = tmp_path / "x.bib"
    bib.write_text("@book{k,\n  title = {T},\n}\n", encoding="utf-8")
    result = enrich_file(bib, [FieldEdit("k", "year", None, "2000", "r", str(bib), 1)])
    assert result.changed
    bib.write_text("@book{k,\n  title = {T2},\n}\n", encoding="utf-8")
    with pytest.raises(CiteauditError, match="changed since it was read"):
        write(result)
    assert not Path(str(bib) + ".bak").exists()


def test_progress_bar_only_on_a_terminal():
    import io

    quiet = io.StringIO()
    bar = TerminalProgress(quiet)
    for i in range(1, 11):
        bar(i, 10, f"key{i}")
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    bar = TerminalProgress(shown, enabled=True, interval=0)
    for i in range(1, 11):
        bar(i, 10, f"key{i}")
    bar.close()
    assert "[########################] 10/10 key10" in shown.getvalue() and shown.getvalue().endswith("\r")


def test_the_package_stands_alone():
    """It imports nothing from the rules or the command line: others wire it in."""
    from citeaudit import online

    for path in Path(online.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "from ..rules" not in text and "from ..cli" not in text, path


# -- the command line: check --online, verify, enrich ------------------------------------------

def _cli(fake, tmp_path, *args, env_extra=None):
    import os
    import subprocess
    import sys

    env = dict(os.environ, CITEAUDIT_CROSSREF_URL=fake.url("crossref"), CITEAUDIT_DATACITE_URL=fake.url("datacite"),
               CITEAUDIT_OPENLIBRARY_URL=fake.url("openlibrary"), CITEAUDIT_CACHE_DIR=str(tmp_path / "cache"),
               CITEAUDIT_CONTACT=CONTACT, NO_PROXY="*", no_proxy="*")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "citeaudit", *args], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)


def test_check_online_reports_each_problem_once_and_a_second_run_asks_nothing(fake, tmp_path):
    (tmp_path / "refs.bib").write_text(MAIN_BIB, encoding="utf-8")
    ms = tmp_path / "ms.txt"
    ms.write_text("Machines can think (Turing 1950). The helix (Watson and Crick 1954).\n", encoding="utf-8")
    first = _cli(fake, tmp_path, "check", str(ms), "--bib", str(tmp_path / "refs.bib"), "--online", "--format", "json")
    assert first.returncode == 1, first.stderr  # unknown DOI, DOI of another work, retraction: errors
    found = sorted((f["rule"], f["line"]) for f in json.loads(first.stdout)["findings"]
                   if f["rule"] in ("metadata-mismatch", "unknown-identifier", "identifier-points-elsewhere", "retracted-work"))
    assert [r for r, _line in found] == ["identifier-points-elsewhere", "metadata-mismatch", "retracted-work",
                                         "unknown-identifier"]
    assert all(line for _r, line in found)  # at the entry's line in the .bib
    asked = fake.requests
    second = _cli(fake, tmp_path, "check", str(ms), "--bib", str(tmp_path / "refs.bib"), "--online", "--format", "json")
    assert fake.requests == asked  # counted on the server
    assert json.loads(second.stdout)["findings"] == json.loads(first.stdout)["findings"]
    assert "registries: 7 entries" in second.stderr and "from the cache" in second.stderr


def test_verify_without_a_server_is_could_not_check_never_a_traceback(tmp_path):
    (tmp_path / "refs.bib").write_text(MAIN_BIB, encoding="utf-8")
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "citeaudit", "verify", "--bib", str(tmp_path / "refs.bib"),
                           "--cache-dir", str(tmp_path / "cache"), "--format", "json"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert "Traceback" not in proc.stderr
    rules = {f["rule"] for f in json.loads(proc.stdout)["findings"]}
    assert "registry-unavailable" in rules and not rules & {"unknown-identifier", "metadata-mismatch"}
    assert proc.returncode == 1  # the bad ISBN checksum is an invalid-field error, found offline


def test_enrich_prints_a_diff_and_writes_only_with_write(fake, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(MAIN_BIB, encoding="utf-8")
    before = bib.read_text(encoding="utf-8")
    shown = _cli(fake, tmp_path, "enrich", "--bib", str(bib))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("--- a/") and bib.read_text(encoding="utf-8") == before
    proposed = [line for line in shown.stdout.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert any("1953" in line for line in proposed if line.startswith("+"))  # watson1954's year, from Crossref
    wrote = _cli(fake, tmp_path, "enrich", "--bib", str(bib), "--write")
    assert wrote.returncode == 0, wrote.stderr
    assert (tmp_path / "refs.bib.bak").read_text(encoding="utf-8") == before
    after = bib.read_text(encoding="utf-8")
    changed = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == proposed  # what was shown, and nothing else
