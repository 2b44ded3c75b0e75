import json
from pathlib import Path

from bench.bench_extraction import FOLD_COUNT, folds_load, folds_make, page_site


def test_it_keeps_every_site_in_one_fold_and_balances_the_folds() -> None:
    urls = {f"p{n}": f"https://www{n % 3}.site{n % 17}.example/{n}" for n in range(90)}
    urls |= {"big1": "https://news.big.co.uk/a", "big2": "https://www.big.co.uk/b"}

    folds = folds_make(urls)

    fold_of_site: dict[str, set[int]] = {}
    for key, fold in folds.items():
        fold_of_site.setdefault(page_site(urls[key]), set()).add(fold)
    assert all(len(f) == 1 for f in fold_of_site.values())
    assert fold_of_site["big.co.uk"] and page_site(urls["big1"]) == "big.co.uk"
    sizes = [list(folds.values()).count(i) for i in range(FOLD_COUNT)]
    assert max(sizes) - min(sizes) <= 6  # at most one site's pages apart
    assert folds_make(dict(reversed(urls.items()))) == folds


def test_the_committed_folds_are_the_ones_made_from_the_corpus(corpora: Path) -> None:
    truth = json.loads((corpora / "extraction-dev/ground-truth.json").read_text())
    urls = {key: value["url"] for key, value in truth.items()}

    assert folds_load() == folds_make(urls)
