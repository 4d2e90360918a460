/**
 * The `<script>` entry of resume, loaded after resock.min.js: it adds `Resock.resume`, so a page
 * writes `new Resock(url, { resume: Resock.resume })`. Kept out of resock.min.js so that pages
 * that do not resume do not download it. Also the global `ResockResume`. It takes the modules it
 * shares with resock.min.js from it (../borrow.ts), and stops with an Error without it.
 */
import { Resock } from '../borrow';
import { resume } from './plugin';

Resock!.resume = resume;

export default resume;
