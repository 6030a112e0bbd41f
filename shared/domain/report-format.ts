/**
 * How report numbers read to a person: percentages, durations, latency, money. Shared by the Slack summary,
 * the HTML page and the CLI so the three say the same thing. Pure.
 */

/** 0.9876 → "98.8 %"; null → "n/a". */
export function formatRatio(ratio: number | null): string {
  return ratio === null ? 'n/a' : `${(ratio * 100).toFixed(ratio === 1 ? 0 : 1)} %`;
}

/** Seconds → "45 s", "6 min 5 s", "3 h 20 min", "2 d 4 h"; null → "n/a". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return 'n/a';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86_400)
    return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86_400)} d${Math.floor((s % 86_400) / 3600) ? ` ${Math.floor((s % 86_400) / 3600)} h` : ''}`;
}

/** Milliseconds → "12 ms" / "1.25 s"; null → "n/a". */
export function formatLatency(ms: number | null): string {
  if (ms === null) return 'n/a';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** USD → "$0.0123" (4 significant decimals below a dollar, cents above). */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toPrecision(3)}`;
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** A health count: "12", or "n/a" when the store does not keep it. */
export function formatCount(count: number | null): string {
  return count === null ? 'n/a' : String(count);
}

/** "2026-11-30T10:00:00.000Z" → "2026-11-30 10:00 UTC". */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
