// node bench/stomp-parser.mjs [--parser path/to/parser.js] [--runs 7]
//
// The STOMP parser (dist/esm/stomp/parser.js, or another build of it) on the cases of issue 11,
// defect 11: 4,000 frames of ~50 bytes in one 200 KB chunk, the same bytes in 1 KB chunks, and a
// 1 MiB frame in 1 KiB chunks. Prints the median (min–max) time of each case over the runs. The
// unit test test/unit/stomp-parser-linear.test.mjs pins linearity by counting work, not time.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { parser: { type: 'string', default: 'dist/esm/stomp/parser.js' }, runs: { type: 'string', default: '7' } } });
const { createParser } = await import(pathToFileURL(path.resolve(values.parser)).href);
const runs = Number(values.runs);

const utf8 = new TextEncoder();
const split = (bytes, size) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
const many = utf8.encode(
  Array.from({ length: 4000 }, (_, i) => `MESSAGE\nsubscription:s\nmessage-id:${String(i).padStart(5, '0')}\n\nbody-${i % 10}\0`).join(''),
);
const big = utf8.encode(`MESSAGE\nsubscription:s\n\n${'x'.repeat(1 << 20)}\0`);
const cases = [
  ['4,000 frames in one 200 KB chunk', [many], 4000],
  ['4,000 frames in 1 KB chunks', split(many, 1024), 4000],
  ['one 1 MiB frame in 1 KiB chunks', split(big, 1024), 1],
];

console.log(`${values.parser}, ${runs} runs, Node ${process.version}`);
for (const [name, chunks, expected] of cases) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    let frames = 0;
    const parser = createParser(() => frames++, (reason) => {
      throw new Error(reason);
    });
    const began = performance.now();
    for (const chunk of chunks) parser.push(chunk);
    times.push(performance.now() - began);
    if (frames !== expected) throw new Error(`${name}: ${frames} frames, expected ${expected}`);
  }
  times.sort((a, b) => a - b);
  const ms = (t) => t.toFixed(t < 10 ? 2 : 0);
  console.log(`${name}: ${ms(times[runs >> 1])} ms (${ms(times[0])}–${ms(times[runs - 1])})`);
}
