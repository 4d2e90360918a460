/**
 * The `<script>` entry of resume, loaded after resock.min.js: it adds `Resock.resume`, so a page
 * writes `new Resock(url, { resume: Resock.resume })`. Kept out of resock.min.js so that pages
 * that do not resume do not download it. Also the global `ResockResume`.
 */
import { resume } from './plugin';

const g = globalThis as unknown as Record<string, Record<string, unknown> | undefined>;
if (g.Resock) g.Resock.resume = resume;

export default resume;
