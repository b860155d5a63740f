"""What reading a file as it comes costs: the byte pass before parsing (line count, encoding
evidence, rows too wide to parse: ``core.logs.scan``) as a share of the whole ``prepare``, and the
same pass without field counting (what the line-length guard alone cost before).  Best of N runs
each, interleaved, so a busy machine slows both sides alike.

Run: python benchmarks/bench_reading.py LOG [LOG ...] [--repeats 5] [--columns user,item,...]
"""

import argparse
import time

from embedlab.core.compression import read_head
from embedlab.core.io.stream import scan_text
from embedlab.core.logs import prepare
from embedlab.core.logs.dialect import HEAD, detect
from embedlab.core.logs.scan import scan


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--columns", default="", help="names for headerless logs")
    args = ap.parse_args()
    for path in args.logs:
        dialect = detect(path, read_head(path, HEAD))[0]
        width = len(dialect.names)
        whole = best(lambda: prepare(path, columns=args.columns), args.repeats)  # noqa: B023
        guard = best(lambda: scan_text(path), args.repeats)  # noqa: B023
        bytes_pass = best(lambda: scan(path, dialect.separator, width), args.repeats)  # noqa: B023
        added = (bytes_pass - guard) / whole
        print(
            f"{path}: prepare {whole:.2f} s; byte pass {bytes_pass:.2f} s "
            f"({bytes_pass / whole:.0%} of prepare); the line-length guard alone {guard:.2f} s "
            f"({guard / whole:.0%}); added by reading as it comes {added:.0%}"
        )


if __name__ == "__main__":
    main()
