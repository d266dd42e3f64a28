// The program the `compile` benchmark compiles: about `lines` lines of ordinary occam (PROCs with declarations,
// loops, IF, arrays, channels, PAR), generated so that the figure measures the compiler on a big program without
// keeping a 20,000-line file in the repository. Every PROC is called, so every stage runs on all of them. The same
// `lines` always gives the same text.

/** One PROC of 20 lines; `k` makes its names and constants distinct. */
function routine(k: number): string[] {
  return [
    `PROC work.${k} (VAL INT seed, INT result, CHAN INT out!)`,
    `  [8]INT table:`,
    `  INT acc, i:`,
    `  SEQ`,
    `    acc := seed + ${k}`,
    `    SEQ j = 0 FOR 8`,
    `      table[j] := (acc * j) /\\ #FF`,
    `    i := 0`,
    `    WHILE i < 8`,
    `      SEQ`,
    `        IF`,
    `          (table[i] \\ 3) = 0`,
    `            acc := acc PLUS table[i]`,
    `          table[i] > ${k % 200}`,
    `            acc := acc MINUS (table[i] >< ${k % 97})`,
    `          TRUE`,
    `            acc := (acc << 1) \\/ 1`,
    `        i := i + 1`,
    // Each routine calls the one before it, so the main PROC reaches them all and every one is compiled (the
    // linker keeps only the routines a program calls).
    k === 0 ? `    result := acc` : `    work.${k - 1} (acc, result, out!)`,
    `:`,
  ];
}

/** A program of about `lines` lines whose main PROC calls the last two routines in parallel, and they the rest. */
export function generatedProgram(lines: number): string {
  const count = Math.max(2, Math.round((lines - 16) / 20));
  const out: string[] = [`-- generated for the compile benchmark: ${count} PROCs`];
  for (let k = 0; k < count; k++) out.push(...routine(k));
  out.push(
    `PROC main (CHAN BYTE kyb?, scr!, err!)`,
    `  CHAN INT c, d:`,
    `  INT a, b:`,
    `  SEQ`,
    `    PAR`,
    `      work.${count - 1} (1, a, c!)`,
    `      work.${count - 2} (2, b, d!)`,
    `    IF`,
    `      a = b`,
    `        scr ! '='`,
    `      TRUE`,
    `        scr ! '#'`,
    `    scr ! '*n'`,
    `:`,
  );
  return out.join('\n') + '\n';
}
