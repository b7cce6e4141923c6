"""The shell fallback of the memory eater, for handsets where no memeater binary runs.

Used when exec fails (a 32-bit-only phone, an ABI without a build, a
``noexec`` mount): ``sh -c SCRIPT memeater ARGS`` grows shell variables, which
live in mksh's heap, i.e. anonymous memory, the kind kcompressd handles. A
tmpfs file would be shmem (not an anonymous folio) and ``/data/local/tmp`` is
on a disk filesystem (page cache), so neither exercises the same path.

Limits, documented because results taken with it are weaker:

- Compressibility is approximate: the "random" part is decimal digits from
  ``$RANDOM`` (about 3.3 bits per byte), not uniform bytes, and the chunks do
  not align with pages, so a page compresses better than ``compressibility``
  says; the start line reports ``impl=shell`` so results can be told apart.
- Rates are paced per ``--interval`` with whole-second ``$SECONDS``; each
  allocation copies a 256 KiB chunk (mksh may briefly hold two copies).
- Touching re-assigns whole chunks (new heap pages are written, old ones
  freed), not one word per page.
- On a virtual handset the shell's strings are Python objects: the memory
  model sees nothing, so only the protocol (lines, signals, cleanup) is real.
- A SIGTERM is handled when the current ``sleep`` ends (up to one interval).
"""

from __future__ import annotations

# Positional parameters: $1 target_kb, $2 rate_kbps, $3 compressibility percent,
# $4 touch percent, $5 interval seconds (a decimal), $6 whole interval ms,
# $7 duration seconds (0 = until signalled), $8 seed, $9 and ${10} compressibility and touch
# fraction as printed in the start line.
SCRIPT = r"""
target=$1 rate=$2 comp=$3 touch=$4 iv=$5 ivms=$6 dur=$7 RANDOM=$8
nrand=$(( (100 - comp) * 4096 / 100 )) r=""
while [ ${#r} -lt $nrand ]; do r="$r$RANDOM"; done
m="" nmotif=$(( 4096 - ${#r} ))
while [ ${#m} -lt $nmotif ]; do m="${m}ANDROID_SUITE_memeater_motif;"; done
chunk="$r$m"
while [ ${#chunk} -lt 262144 ]; do chunk="$chunk$chunk"; done
ckb=$(( ${#chunk} / 1024 )) n=0 alloc=0 touched=0 next=0 last=0 start=$SECONDS
trap 'echo "memeater end t=$((SECONDS - start)) allocated_kb=$alloc touched_pages=$touched reason=signal"
  exit 0' TERM INT
seed=$8; shift 8
echo "memeater start pid=$$ version=1 impl=shell page_size=4096 target_kb=$target rate_kbps=$rate" \
  "compressibility=$1 touch_fraction=$2 seed=$seed duration_s=$dur"
while :; do
  el=$(( SECONDS - start ))
  if [ $dur -gt 0 ] && [ $el -ge $dur ]; then break; fi
  goal=$(( alloc + rate * ivms / 1000 ))
  [ $rate -eq 0 ] || [ $goal -gt $target ] && goal=$target
  while [ $alloc -lt $goal ]; do eval "c$n=\$chunk\$n"; n=$(( n + 1 )); alloc=$(( alloc + ckb )); done
  ws=$(( n * touch / 100 )) i=0
  while [ $i -lt $ws ]; do eval "c$next=\$chunk\$next"; next=$(( (next + 1) % ws )); i=$(( i + 1 )); done
  touched=$(( touched + ws * ckb / 4 ))
  kbps=$(( (alloc - last) * 1000 / ivms ))
  echo "memeater progress t=$el allocated_kb=$alloc touched_pages=$touched rate_kbps=$kbps"
  last=$alloc
  sleep $iv
done
echo "memeater end t=$(( SECONDS - start )) allocated_kb=$alloc touched_pages=$touched reason=duration"
"""


def shell_argv(
    *,
    target_kb: int,
    rate_kbps: float,
    compressibility: float,
    touch_fraction: float,
    interval_s: float,
    duration_s: float,
    seed: int,
) -> list[str]:
    """``sh -c SCRIPT memeater ARGS`` for the fallback (integers only: mksh arithmetic)."""
    ivms = max(1, round(interval_s * 1000))
    whole_s = -(-round(duration_s * 1000) // 1000)  # $SECONDS counts whole seconds: round up
    params: list[int | str] = [
        target_kb,
        round(rate_kbps),
        min(99, round(compressibility * 100)),
        min(100, round(touch_fraction * 100)),
    ]
    params += [f"{ivms / 1000:g}", ivms, whole_s, seed, f"{compressibility:.3f}", f"{touch_fraction:.3f}"]
    return ["sh", "-c", SCRIPT, "memeater", *map(str, params)]
