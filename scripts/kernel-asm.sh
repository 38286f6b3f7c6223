#!/usr/bin/env bash
# Shows that every hot Vector API kernel is C2-compiled vector code: runs the kernels (io.edgellm.bench.KernelAsmProbe)
# in a fresh JVM -- by default the emulated aarch64 one of ../shared/tools/arm -- with HotSpot printing each kernel's
# compiled code (-XX:CompileCommand=print; without hsdis HotSpot prints it as hex), disassembles that with binutils'
# objdump, and prints a markdown table: per kernel the compiler (C2 = tier 4), instructions, SIMD instructions, their
# share, calls and the most used SIMD mnemonics. Builds nothing: it needs cli/target/edgellm.jar (./mvnj -q -DskipTests
# package) or --jar/--cp. Correctness of the kernels at every width is tested elsewhere (VectorKernelsTest in quant's arm-emulated profile).
#
#   scripts/kernel-asm.sh [--cpu neon|sve128|sve256|sve512|a64fx] [--host BYTES] [--jar JAR | --cp CLASSPATH]
#                         [--rounds N] [--keep DIR]
#     --cpu     emulated aarch64 CPU (EDGELLM_ARM_CPU of ../shared/tools/arm/java; default neon)
#     --host    run on this machine's JDK >= 25 instead, with -XX:MaxVectorSize=BYTES (16, 32 or 64; x86 or aarch64)
#     --rounds  probe rounds (default 4000: enough for C2 under emulation; 40 s for neon, 80 s for sve512)
#     --keep    keep the raw HotSpot output and one .s disassembly per kernel in DIR
#   env EDGELLM_ARM_TOOLS  directory with setup and java (default: <repo>/../shared/tools/arm)
#       OBJDUMP            objdump to use (default: aarch64-linux-gnu-objdump for aarch64, objdump for x86-64)
# Needs: python3; for aarch64 binutils-aarch64-linux-gnu (apt-get install binutils-aarch64-linux-gnu).
# Exit status: 0 all kernels C2-compiled, 1 some kernel not (or not compiled at all), 2 a tool is missing.
set -euo pipefail

# The kernels to show (private methods of io.edgellm.quant.kernel.VectorBackend). Edit when kernels are renamed.
# "a|b": one row for whichever of the alternatives the backend uses at this width (before 2026-12-03's third stop the
# integer kernels ran in int lanes at 512 bits: dot*Ints).
KERNELS=(
  dotF32 dotF16
  'dotQ8_0Q8_0Shorts|dotQ8_0Q8_0Ints' 'dotQ4_0Q8_0Shorts|dotQ4_0Q8_0Ints' dotQ8_0Q8_0x2 dotQ4_0Q8_0x2
  'dotQ4_KShorts|dotQ4_KShorts512' 'dotQ5_KShorts|dotQ5_KShorts512' 'dotQ6_KShorts128|dotQ6_KShorts'
  dotTile4x4
  dequantizeQ8_0 dequantizeQ4_0 dequantizeQ4_K dequantizeQ6_K
)
CLASS=io.edgellm.quant.kernel.VectorBackend
# Weight types the probe runs (matvec: Q4_K run dotQ4_KShorts(512), Q5_K dotQ5_KShorts(512) · Q8_K, Q6_K dotQ6_KShorts;
# the 8-row matmul: dequantizeQ4_K with q5=false/true, dequantizeQ6_K)
TYPES=F32,F16,Q8_0,Q4_0,Q4_K,Q5_K,Q6_K

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cpu=${EDGELLM_ARM_CPU:-neon}; host=""; jar=""; cp=""; rounds=4000; keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) cpu=$2; shift 2 ;;
    --host) host=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --cp) cp=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "kernel-asm: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
die() { echo "kernel-asm: $*" >&2; exit 2; }

if [ -z "$cp" ]; then
  jar=${jar:-$here/cli/target/edgellm.jar}
  [ -f "$jar" ] || die "$jar not found: build it first (./mvnj -q -DskipTests package) or pass --jar/--cp"
  cp=$jar
fi
command -v python3 >/dev/null || die "python3 is needed to parse HotSpot's output"

if [ -n "$host" ]; then
  case "$host" in 16|32|64) ;; *) die "--host takes the vector size in bytes: 16, 32 or 64" ;; esac
  . "$here/scripts/find-jdk.sh"
  edgellm_find_jdk || exit 2
  java=("$EDGELLM_JAVA_HOME/bin/java" "-XX:MaxVectorSize=$host")
  arch=$(uname -m)
  label="host $arch, MaxVectorSize=$host"
else
  tools=${EDGELLM_ARM_TOOLS:-$here/../shared/tools/arm}
  [ -x "$tools/java" ] || die "no emulated arm runtime launcher at $tools/java (set EDGELLM_ARM_TOOLS)"
  command -v qemu-aarch64-static >/dev/null || die "qemu-aarch64-static missing: run $tools/setup first"
  EDGELLM_ARM_CPU=$cpu "$tools/java" -version >/dev/null 2>&1 \
    || die "the emulated arm runtime does not start: run $tools/setup first"
  java=(env "EDGELLM_ARM_CPU=$cpu" "$tools/java")
  arch=aarch64
  label="emulated aarch64, EDGELLM_ARM_CPU=$cpu"
fi
case "$arch" in
  aarch64|arm64) arch=aarch64; objdump=${OBJDUMP:-aarch64-linux-gnu-objdump}; machine=aarch64
    [ "$(uname -m)" = aarch64 ] && objdump=${OBJDUMP:-objdump} ;;
  x86_64) objdump=${OBJDUMP:-objdump}; machine=i386:x86-64 ;;
  *) die "unsupported architecture $arch" ;;
esac
command -v "$objdump" >/dev/null || die "$objdump not found (aarch64: apt-get install binutils-aarch64-linux-gnu)"

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC
       -Xbatch -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=quiet)
for k in "${KERNELS[@]}"; do
  IFS='|' read -ra alts <<< "$k"
  for m in "${alts[@]}"; do
    # print: the compiled code; dontinline: a kernel small enough to be inlined into its caller still gets its own
    # compiled method to count (its body compiles the same; only the call into it stays a call)
    flags+=("-XX:CompileCommand=print,$CLASS::$m" "-XX:CompileCommand=dontinline,$CLASS::$m")
  done
done
echo "kernel-asm: running the probe ($label, $rounds rounds of $TYPES)..." >&2
"${java[@]}" "${flags[@]}" -Xmx512m -cp "$cp" io.edgellm.bench.KernelAsmProbe "$rounds" "$TYPES" > "$work/hotspot.txt" 2>&1 \
  || { tail -20 "$work/hotspot.txt" >&2; die "the probe failed"; }
[ -n "$keep" ] && { mkdir -p "$keep"; cp "$work/hotspot.txt" "$keep/hotspot.txt"; }

python3 - "$work" "$objdump" "$machine" "$label" "$keep" "${KERNELS[@]}" <<'PY'
import collections, os, re, subprocess, sys

work, objdump, machine, label, keep = sys.argv[1:6]
kernels = sys.argv[6:]
text = open(os.path.join(work, "hotspot.txt"), encoding="utf-8", errors="replace").read().split("\n")
x86 = machine.startswith("i386")

# --- HotSpot's output, split into compiled methods: code bytes and the annotations by address ------------------------
head = re.compile(r"^Compiled method \((c1|c2)\)\s+\d+\s+\d+\s+(%?)\s*(\d)\s+(\S+)::(\w+)")
addrline = re.compile(r"^\s*0x([0-9a-f]+):\s*(.*)$")
hexdata = re.compile(r"^[0-9a-f]{2,8}(?: [0-9a-f]{2,8})*(?: \| [0-9a-f]{2,8}(?: [0-9a-f]{2,8})*)*$")
MAIN = ("[MachCode]", "[Verified Entry Point]", "[Entry Point]")
methods, cur, section, last = [], None, None, 0
for line in text:
    m = head.match(line)
    if m:
        cur = dict(compiler=m.group(1), osr=m.group(2) == "%", level=int(m.group(3)), name=m.group(5),
                   sig="", code={}, notes=[])
        methods.append(cur)
        section = None
        continue
    if cur is None:
        continue
    s = line.strip()
    if re.fullmatch(r"\[[A-Za-z /]+\]", s):
        section = s
        if s == "[/MachCode]":
            cur = None
        continue
    if section not in MAIN:
        continue
    sm = re.search(r"# \{method\} \{0x[0-9a-f]+\} '(\w+)' '([^']*)'", line)
    if sm and not cur["sig"]:
        cur["sig"] = sm.group(2)
    am = addrline.match(line)
    if am:
        last = int(am.group(1), 16)
        rest = am.group(2).strip()
        if hexdata.match(rest):
            cur["code"][last] = bytes.fromhex(rest.replace("|", "").replace(" ", ""))
        elif rest.startswith(";"):
            cur["notes"].append((last, rest))
    elif s.startswith(";"):
        cur["notes"].append((last, s))

# --- disassembly -----------------------------------------------------------------------------------------------------
def disassemble(meth, tag):
    """[(offset, mnemonic, operands)] of the method's main code, offsets from its first byte."""
    addrs = sorted(meth["code"])
    blob = bytearray()
    base = addrs[0] if addrs else 0
    for a in addrs:
        gap = a - (base + len(blob))
        if gap >= 0:
            blob += b"\x00" * gap + meth["code"][a]
    path = os.path.join(work, tag + ".bin")
    open(path, "wb").write(blob)
    out = subprocess.run([objdump, "-D", "-b", "binary", "-m", machine, path], capture_output=True, text=True,
                         check=True).stdout
    if keep:
        open(os.path.join(keep, tag + ".s"), "w").write(out)
    insns = []
    for l in out.split("\n"):
        p = l.split("\t")
        if len(p) >= 3 and re.match(r"^\s*[0-9a-f]+:$", p[0]) and p[2].strip():
            mnem, _, ops = p[2].strip().partition(" ")
            ops = (ops + " " + " ".join(p[3:])).strip()
            insns.append((int(p[0].strip()[:-1], 16), mnem, ops))
    return base, insns

if x86:
    def is_simd(mnem, ops):
        if not re.search(r"%[xyz]mm\d+|%k[0-7]\b", ops):
            return False
        if re.search(r"%[yz]mm", ops):
            return True
        if re.search(r"(ss|sd)$", mnem) or re.search(r"cvt\w*s[sd]|cvtsi2", mnem):
            return False                  # scalar float in an xmm register
        if re.fullmatch(r"v?mov[dq]", mnem) and re.search(r"%[re][a-z0-9]+\b", ops) and "(" not in ops:
            return False                  # a general register parked in an xmm register (C2 spill)
        return True
    is_call = lambda mnem: mnem.startswith("call")
    is_branch = lambda mnem: mnem.startswith("j")
else:
    SVE_SCALAR = {"ptrue", "ptrues", "whilelo", "whilelt", "whilele", "whilels", "cntb", "cnth", "cntw", "cntd",
                  "incb", "inch", "incw", "incd", "addvl", "rdvl"}
    vecop = re.compile(r"\b(?:[vz]\d+\.|z\d+\b|q\d+\b|p\d+(?:/[zm]|\.[bhsdq]|\b))")
    def is_simd(mnem, ops):
        return bool(vecop.search(ops)) or mnem in SVE_SCALAR
    is_call = lambda mnem: mnem in ("bl", "blr")
    is_branch = lambda mnem: mnem in ("b", "cbz", "cbnz", "tbz", "tbnz") or mnem.startswith("b.")

# data movement (loads, stores, register moves, spills): not what ranks a loop as the kernel's main loop
MOVE = re.compile(r"^(v?mov|ld|st|fmov|umov|ins$|dup$)")

def target(ops):
    t = re.findall(r"0x([0-9a-f]+)", ops)
    return int(t[-1], 16) if t else None

def main_loop(insns, simd_flags, traps):
    """The innermost loop (a backward branch's range holding no other) with the most SIMD arithmetic."""
    loops = []
    for off, mn, ops in insns:
        if is_branch(mn):
            t = target(ops)
            if t is not None and t <= off:
                loops.append((t, off))
    inner = [l for l in loops if not any(o != l and l[0] <= o[0] and o[1] <= l[1] for o in loops)]
    best = None
    for lo, hi in inner:
        idx = [i for i, (off, _, _) in enumerate(insns) if lo <= off <= hi]
        simd = sum(simd_flags[i] for i in idx)
        work = sum(1 for i in idx if simd_flags[i] and not MOVE.match(insns[i][1]))
        calls = sum(1 for i in idx if is_call(insns[i][1]) and not any(abs(insns[i][0] - t) <= 8 for t in traps))
        if best is None or (work, simd) > best[5:]:
            best = (len(idx), simd, calls, lo, hi, work, simd)
    return best

def simple_sig(sig):
    return re.sub(r"L[\w/$]*/(\w+);", r"\1", sig.split(")")[0].lstrip("("))

def call_kinds(meth, base):
    """Per call annotation: (offset, kind, where) with kind java / alloc / trap / other."""
    notes = meth["notes"]
    out = []
    for i, (addr, n) in enumerate(notes):
        c = re.search(r"\{(static_call|optimized virtual_call|virtual_call|opt_virtual_call|runtime_call[^}]*)\}", n)
        if not c:
            continue
        k = c.group(1)
        if "call" in k and not k.startswith("runtime"):
            kind = "java"
        elif "new_instance" in k or "new_array" in k or "new_multi_array" in k:
            kind = "alloc"
        elif "UncommonTrapBlob" in k:
            kind = "trap"
        else:
            kind = "other"
        where = ""
        if kind == "java":   # the call's debug info: *invoke line just before (aarch64) or after (x86) the call
            for j in sorted(range(max(0, i - 8), min(len(notes), i + 12)), key=lambda j: abs(j - i)):
                inv = re.search(r";\*invoke\w+ (\w+)", notes[j][1])
                if inv:
                    where = inv.group(1)
                    for a2, n2 in notes[j + 1:j + 8]:
                        ln = re.search(r"VectorBackend::(\w+)@\d+ \(line (\d+)\)", n2)
                        if ln:
                            where += f" at line {ln.group(2)}"
                            break
                    break
        out.append((addr - base, kind, where))
    return out

# --- per kernel: the last standard C2 compile, else the last C2 OSR compile, else the best seen ----------------------
rows, failed = [], []
for k in kernels:
    alts = k.split("|")
    cands = [m for m in methods if m["name"] in alts]
    sigs = sorted({m["sig"] for m in cands})
    picks = []
    for sig in sigs:
        ms = [m for m in cands if m["sig"] == sig]
        c2 = [m for m in ms if m["compiler"] == "c2" and not m["osr"]] or [m for m in ms if m["compiler"] == "c2"]
        picks.append(c2[-1] if c2 else max(ms, key=lambda m: m["level"]))
    if not picks:
        rows.append(dict(name=k.replace("|", " or "), comp="**not compiled**"))
        failed.append(k)
        continue
    for pick in picks:
        name = pick["name"] + (f"({simple_sig(pick['sig'])})" if len(picks) > 1 else "")
        tag = re.sub(r"[^\w]+", "_", name).strip("_")
        base, insns = disassemble(pick, tag)
        flags = [is_simd(mn, ops) for _, mn, ops in insns]
        simd = collections.Counter(mn for (_, mn, _), f in zip(insns, flags) if f)
        kinds = call_kinds(pick, base)
        count = collections.Counter(kd for _, kd, _ in kinds)
        java = [w or "?" for _, kd, w in kinds if kd == "java"]
        loop = main_loop(insns, flags, [o for o, kd, _ in kinds if kd == "trap"])
        comp = ("C2" if pick["compiler"] == "c2" else "C1") + f" tier {pick['level']}" + (" OSR" if pick["osr"] else "")
        if pick["compiler"] != "c2":
            comp = "**" + comp + "**"
            failed.append(name)
        arith = sum(c for mn, c in simd.items() if not MOVE.match(mn))
        rows.append(dict(name=name, comp=comp, n=len(insns), simd=sum(simd.values()), arith=arith,
                         calls=sum(1 for _, mn, _ in insns if is_call(mn)), loop=loop, count=count, java=java,
                         top=", ".join(f"{mn} {c}" for mn, c in simd.most_common(6))))

print(f"Kernels of `io.edgellm.quant.kernel.VectorBackend` on {label}:")
print()
print("| method | compiled by | instructions | SIMD (arithmetic) | SIMD share | innermost vector loop: instr. / SIMD / calls (not traps) | calls | "
      "Java calls | allocation paths | uncommon traps | most used SIMD mnemonics |")
print("|---|---|---:|---:|---:|---|---:|---|---:|---:|---|")
for r in rows:
    if "n" not in r:
        print(f"| {r['name']} | {r['comp']} | | | | | | | | | |")
        continue
    share = f"{100.0 * r['simd'] / r['n']:.0f} %" if r["n"] else "-"
    loop = f"{r['loop'][0]} / {r['loop'][1]} / {r['loop'][2]}" if r["loop"] else "no loop"
    java = f"{len(r['java'])} ({'; '.join(r['java'])})" if r["java"] else "0"
    print(f"| {r['name']} | {r['comp']} | {r['n']} | {r['simd']} ({r['arith']}) | {share} | {loop} | {r['calls']} | {java} | "
          f"{r['count']['alloc']} | {r['count']['trap']} | {r['top']} |")
print()
print("SIMD: instructions with a vector register operand (" + ("xmm/ymm/zmm/k, not scalar ss/sd or GPR spills"
      if x86 else "v/q/z/p registers, plus SVE predicate/count set-up") + "); arithmetic: those that are not loads, "
      "stores or moves (vector spills around the cold exits are moves). Innermost vector loop: of the loops with no loop inside (a backward branch's range), the one with the most "
      "SIMD arithmetic (not loads, stores, moves); C2's unrolled copy of a loop may not count as one. Calls: " + ("call" if x86 else "bl/blr") + " instructions; Java calls are to methods C2 did "
      "not inline (callee, kernel source line), allocation paths are TLAB slow-path calls (a boxed vector would show "
      "here and as a call in the main loop), uncommon traps are deoptimization exits on cold paths.")
if failed:
    print()
    print("Not C2-compiled: " + ", ".join(failed) + " (more --rounds?)")
sys.exit(1 if failed else 0)
PY
