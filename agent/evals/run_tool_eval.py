"""Tool-calling eval of the local LLMs on the seeded demo (Ava and Max, their real tools).

    uv run python agent/evals/run_tool_eval.py [--models smollm2,gemma3-270m] [--limit N]
        [--decodings grammar,routed,free]
    uv run python agent/evals/run_tool_eval.py --calibrate   # the tool bias per model
    uv run python agent/evals/run_tool_eval.py --fit         # the router's weights per model

Each utterance of ``tool_calls.jsonl`` is sent, as the user's turn after the agent's greeting,
through ``LlamaCppLLM.chat`` with the agent's tools, exactly as a session does. Per model and
decoding (grammar: the constrained say/tool choice; free: the same prompt decoded without a
grammar, its JSON parsed afterwards) it scores:

- tool-choice accuracy: the tool called (or none) is the expected one, over every utterance;
- handoff accuracy: the same over the transfer requests;
- false tool calls: the share of small talk that called any tool (must be 0);
- argument accuracy: over utterances with expected arguments, the right tool with each
  expected value found (case-insensitive substring) at its path (the first call of the reply;
  ``got_calls`` lists every call, a batch reply has two);
- invalid replies: replies that were neither words nor a valid call of a known tool;
- latency: time to the first spoken text or the tool call, p50 and p90, and the whole reply.

Decodings (``DECODINGS``): ``default`` (built by ``build_local_llm`` exactly as a session
builds it), ``grammar`` (the model's own scores), ``routed`` (the same, plus the offline
sentence encoder's similarities: ``providers/tool_router.py``), ``free`` (no grammar); with
``+quote`` the free-text arguments are quotes of the user's words (``quoted_spans``). Every
variant of a run goes through ``LlamaCppLLM.chat`` live, one after another in one process, so
they share the machine's load (recorded before and after each).

Held out: the router's weights are fitted (``--fit``) on the even-numbered utterances of the
eval set only (``split: tune``); every score is also given over the odd-numbered ones
(``split: held_out``), which no weight saw. ``--fit`` scores every tool for every utterance
once and searches the weights over those scores (the model is not re-run per weight).

Writes ``bench/results/tool-eval-<date>.json`` with the machine's load average and the git
sha. ``--calibrate`` prints, per model, log P(tool) - log P(say) at the choice for the
utterances of ``calibration.jsonl`` (not in the eval set) and the bias that separates them best.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))  # agent/: ``evals`` as a package

from troupe_agent.local_models import LocalModels  # noqa: E402
from troupe_agent.providers.local_llm import (  # noqa: E402
    LOCAL_LLMS,
    LlamaCppLLM,
    build_local_llm,
)

from evals.demo_agents import DemoAgents  # noqa: E402


def load_cases(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (HERE / name).read_text().splitlines() if line.strip()]


def eval_cases(
    limit: int | None = None, categories: list[str] | None = None
) -> list[dict[str, Any]]:
    """The eval set, each case with its ``split``: even lines tune the router, odd lines are
    held out (the split is by line in the file, before any filter)."""
    cases = load_cases("tool_calls.jsonl")
    for i, case in enumerate(cases):
        case["split"] = "tune" if i % 2 == 0 else "held_out"
    if categories:
        cases = [c for c in cases if c["category"] in categories]
    return cases[:limit]


def _at(args: dict[str, Any], path: str) -> Any:
    value: Any = args
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _norm(text: str) -> str:
    """Case and runs of whitespace do not count (a spoken fact has no case)."""
    return " ".join(text.lower().split())


def args_match(expected: dict[str, str] | None, got: dict[str, Any]) -> bool:
    """Each expected value is found in the argument at its path, case and whitespace aside."""
    return all(
        isinstance(v := _at(got, path), str) and _norm(want) in _norm(v)
        for path, want in (expected or {}).items()
    )


async def run_case(lm: LlamaCppLLM, demo: DemoAgents, case: dict[str, Any]) -> dict[str, Any]:
    stream = lm.chat(
        chat_ctx=demo.chat(case["agent"], case["text"]), tools=demo.tools(case["agent"])
    )
    started = time.perf_counter()
    first: float | None = None
    text, calls = "", []
    async with stream:
        async for chunk in stream:
            if chunk.delta and (chunk.delta.content or chunk.delta.tool_calls):
                first = first or time.perf_counter() - started
                text += chunk.delta.content or ""
                calls += chunk.delta.tool_calls
    total = time.perf_counter() - started
    decoder = getattr(stream, "decoder", None)
    call = calls[0] if calls else None
    args = json.loads(call.arguments) if call else {}
    return {
        **case,
        "got_tool": call.name if call else None,
        "got_calls": [c.name for c in calls],
        "got_args": args,
        "said": text,
        "tool_ok": (call.name if call else None) == case["tool"],
        "args_ok": bool(call) and call.name == case["tool"] and args_match(case["args"], args),
        "invalid": not text.strip() and call is None,
        "first_s": round(first if first is not None else total, 3),
        "total_s": round(total, 3),
        "tool_margin": None if decoder is None else decoder.tool_margin,
        "prompt_tokens": None if decoder is None else decoder.prompt_tokens,
        "name_scores": None if decoder is None else decoder.name_scores,
        "similarity": (
            None
            if decoder is None or decoder.routing is None
            else {"tools": decoder.routing.tools, "talk": decoder.routing.talk}
        ),
    }


def git_sha() -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def write(out: Path, result: dict[str, Any]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 3) if values else 0.0


def score(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def rate(sel: list[dict[str, Any]], key: str) -> float | None:
        return round(sum(bool(r[key]) for r in sel) / len(sel), 3) if sel else None

    small = [r for r in rows if r["category"] == "small_talk"]
    handoffs = [r for r in rows if (r["tool"] or "").startswith("transfer_to_")]
    with_args = [r for r in rows if r["args"]]
    return {
        "n": len(rows),
        "tool_choice_accuracy": rate(rows, "tool_ok"),
        "handoff_accuracy": rate(handoffs, "tool_ok"),
        "tool_call_recall": rate([r for r in rows if r["tool"]], "tool_ok"),
        "false_tool_call_rate_small_talk": (
            round(sum(r["got_tool"] is not None for r in small) / len(small), 3) if small else None
        ),
        "no_tool_accuracy": rate([r for r in rows if not r["tool"]], "tool_ok"),
        "argument_accuracy": rate(with_args, "args_ok"),
        "invalid_reply_rate": rate(rows, "invalid"),
        "first_output_p50_s": pct([r["first_s"] for r in rows], 0.5),
        "first_output_p90_s": pct([r["first_s"] for r in rows], 0.9),
        "reply_p50_s": pct([r["total_s"] for r in rows], 0.5),
    }


def scored(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The scores over every case, and per split."""
    out = score(rows)
    for split in ("tune", "held_out"):
        part = [r for r in rows if r.get("split") == split]
        if part:
            out[split] = {
                k: v for k, v in score(part).items() if not k.startswith(("first_output", "reply_"))
            }
    return out


async def evaluate(
    models: list[str],
    decodings: list[str],
    limit: int | None,
    out: Path,
    categories: list[str] | None = None,
) -> dict[str, Any]:
    demo = DemoAgents()
    cases = eval_cases(limit, categories)
    local = LocalModels()
    runs: list[dict[str, Any]] = []
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_sha": git_sha(),
        "machine": {
            "cpus": os.cpu_count(),
            "load_avg_before": os.getloadavg(),
            "platform": platform.platform(),
            "threads": os.environ.get("TROUPE_AGENT_THREADS"),
        },
        "eval_set": "agent/evals/tool_calls.jsonl",
        "runs": runs,
    }
    # each variant: ``decoding`` (for every model) or ``model:decoding``, optionally
    # ``@category+category`` (only those cases)
    plan: list[tuple[str, str, set[str] | None]] = []
    for d in decodings:
        d, _, only = d.partition("@")
        names = [d.split(":", 1)[0]] if ":" in d else models
        for name in names:
            plan.append((name, d.split(":", 1)[-1], set(only.split("+")) if only else None))
    lms = [variant(local, name, decoding) for name, decoding, _ in plan]
    rows: list[list[dict[str, Any]]] = [[] for _ in plan]
    loads: list[list[tuple[float, ...]]] = [[] for _ in plan]
    # interleaved: each case goes through every variant before the next case, so the
    # variants share whatever load the machine has
    for case in cases:
        for i, ((name, decoding, only), lm) in enumerate(zip(plan, lms, strict=True)):
            if only is not None and case["category"] not in only:
                continue
            loads[i].append(os.getloadavg())
            rows[i].append(await run_case(lm, demo, case))
            r = rows[i][-1]
            print(
                f"{name:12} {decoding:13} {r['agent']:3} "
                f"{'ok ' if r['tool_ok'] else 'BAD'} {r['got_tool']!s:18} {r['first_s']:5.2f}s "
                f"{r['text']!r} -> {(r['said'] or json.dumps(r['got_args']))[:60]!r}",
                flush=True,
            )
        runs[:] = [
            {
                "model": f"local/{name}",
                "decoding": decoding,
                "categories": sorted(only) if only else "all",
                "quote_args": lm._quote_args,
                "routed": lm._router is not None,
                "load_avg_1m_during": [round(x[0], 2) for x in loads[i]],
                "tool_bias": LOCAL_LLMS[name].tool_bias,
                **(
                    {
                        "route_choice": LOCAL_LLMS[name].route_choice,
                        "route_offset": LOCAL_LLMS[name].route_offset,
                        "route_pick": LOCAL_LLMS[name].route_pick,
                    }
                    if lm._router is not None
                    else {}
                ),
                **scored(rows[i]),
                "cases": rows[i],
            }
            for i, ((name, decoding, only), lm) in enumerate(zip(plan, lms, strict=True))
            if rows[i]
        ]
        result["machine"]["load_avg_after"] = os.getloadavg()  # type: ignore[index]
        write(out, result)  # after each case: a partial file survives an interruption
    for run in runs:
        print(json.dumps({k: v for k, v in run.items() if k != "cases"}), flush=True)
    return result


DECODINGS = {
    "default": "what a session gets: build_local_llm (the router and argument quoting as the "
    "model's spec says)",
    "grammar": "the model's own scores, no router, free-text arguments not quoted",
    "grammar+quote": "the model's own scores, no router, free-text arguments quoted",
    "routed": "with the MiniLM router, free-text arguments not quoted",
    "routed+quote": "with the MiniLM router, free-text arguments quoted",
    "free": "no grammar: the same prompt decoded freely, its JSON parsed afterwards",
}


def variant(local: LocalModels, name: str, decoding: str) -> LlamaCppLLM:
    """The LLM of one compared variant; ``default`` is built exactly as a session builds it."""
    if decoding not in DECODINGS:
        raise SystemExit(f"unknown decoding {decoding!r}: one of {', '.join(DECODINGS)}")
    if decoding == "default":
        return build_local_llm(local, name)
    return LlamaCppLLM(
        local.llama(name),
        name=name,
        use_grammar=decoding != "free",
        router=local.tool_router() if decoding.startswith("routed") else None,
        quote_args=decoding.endswith("+quote"),
    )


async def calibrate(models: list[str]) -> None:
    demo = DemoAgents()
    cases = load_cases("calibration.jsonl")
    local = LocalModels()
    for name in models:
        lm = LlamaCppLLM(local.llama(name), name=name, max_tool_tokens=1)
        margins = []
        for case in cases:
            stream = lm.chat(
                chat_ctx=demo.chat(case["agent"], case["text"]), tools=demo.tools(case["agent"])
            )
            async with stream:
                async for _ in stream:
                    pass
            assert stream.decoder is not None  # type: ignore[attr-defined]
            margins.append((stream.decoder.tool_margin, case["tool"]))  # type: ignore[attr-defined]
        candidates = sorted({-m for m, _ in margins} | {0.0})
        best = max(
            candidates,
            key=lambda b: (sum((m + b > 0) == want for m, want in margins), -abs(b)),
        )
        # the middle of the best gap: the bias moves the threshold between two margins
        ok = sum((m + best > 0) == want for m, want in margins)
        above = sorted(m for m, _ in margins if m + best > 0)
        below = sorted(m for m, _ in margins if m + best <= 0)
        mid = -((above[0] + below[-1]) / 2) if above and below else best
        print(
            f"{name}: {ok}/{len(margins)} separated; bias {mid:+.2f}; margins "
            + ", ".join(f"{m:+.2f}{'T' if w else 'S'}" for m, w in sorted(margins)),
            flush=True,
        )


def predict(row: dict[str, Any], bias: float, choice: float, offset: float, pick: float) -> Any:
    """The tool (or None) the routed decoder would choose for a scored case."""
    sim = row["similarity"]
    margin = row["tool_margin"] + bias + choice * (max(sim["tools"].values()) - sim["talk"])
    if margin + offset <= 0:
        return None
    names = row["name_scores"]
    return max(names, key=lambda n: names[n] + pick * sim["tools"][n])


def fit_weights(rows: list[dict[str, Any]], bias: float) -> dict[str, Any]:
    """The router's weights that choose the expected tool (or none) most often on the tune
    split: first the pick weight (over the cases that expect a tool), then the choice weight
    and offset. Ties go to the smaller weights."""
    tune = [r for r in rows if r["split"] == "tune"]

    def accuracy(sel: list[dict[str, Any]], w: tuple[float, float, float]) -> float:
        return sum(predict(r, bias, *w) == r["tool"] for r in sel) / len(sel)

    picks = [p / 2 for p in range(0, 81)]
    with_tool = [r for r in tune if r["tool"]]
    pick = max(
        picks,
        key=lambda p: (
            sum(
                max(
                    r["name_scores"],
                    key=lambda n: r["name_scores"][n] + p * r["similarity"]["tools"][n],
                )
                == r["tool"]
                for r in with_tool
            ),
            -p,
        ),
    )
    grid = [(c / 2, o / 4) for c in range(0, 81) for o in range(-40, 41)]
    choice, offset = max(
        grid,
        key=lambda w: (
            accuracy(tune, (w[0], w[1], pick)),
            -sum(predict(r, bias, w[0], w[1], pick) is not None for r in tune if not r["tool"]),
            -w[0] - abs(w[1]),
        ),
    )
    weights = (choice, offset, pick)
    held = [r for r in rows if r["split"] == "held_out"]
    return {
        "route_choice": choice,
        "route_offset": offset,
        "route_pick": pick,
        "tune_accuracy": round(accuracy(tune, weights), 3),
        "held_out_accuracy": round(accuracy(held, weights), 3),
        "unrouted_tune_accuracy": round(accuracy(tune, (0.0, 0.0, 0.0)), 3),
        "unrouted_held_out_accuracy": round(accuracy(held, (0.0, 0.0, 0.0)), 3),
    }


async def fit(models: list[str], out: Path | None) -> None:
    """Score every tool for every case once (model margin, calibrated name scores,
    similarities), then fit the router's weights on the tune split."""
    demo = DemoAgents()
    cases = eval_cases()
    local = LocalModels()
    router = local.tool_router()
    report: dict[str, Any] = {}
    for name in models:
        lm = LlamaCppLLM(
            local.llama(name),
            name=name,
            router=router,
            score_all_tools=True,
            max_tool_tokens=1,
            max_tokens=1,
        )
        rows = []
        for case in cases:
            row = await run_case(lm, demo, case)
            rows.append(row)
            print(f"{name:12} {row['split']:8} {row['tool']!s:18} {row['text']!r}", flush=True)
        weights = fit_weights(rows, LOCAL_LLMS[name].tool_bias)
        report[name] = {"weights": weights, "cases": rows}
        print(f"{name}: {json.dumps(weights)}", flush=True)
    if out is not None:
        write(out, report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="smollm2,gemma3-270m")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument(
        "--decodings",
        default="grammar,free",
        help="variants, each a decoding for every model or model:decoding (see DECODINGS)",
    )
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--categories", default="", help="only these categories (comma list)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if args.calibrate:
        asyncio.run(calibrate(models))
        return
    if args.fit:
        asyncio.run(fit(models, args.out))
        return
    out = args.out or ROOT / "bench" / "results" / f"tool-eval-{datetime.now(UTC):%Y-%m-%d}.json"
    decodings = [d.strip() for d in args.decodings.split(",") if d.strip()]
    categories = [c.strip() for c in args.categories.split(",") if c.strip()] or None
    result = asyncio.run(evaluate(models, decodings, args.limit, out, categories))
    print(f"wrote {out}")
    for run in result["runs"]:
        print(json.dumps({k: v for k, v in run.items() if k != "cases"}))


if __name__ == "__main__":
    main()
