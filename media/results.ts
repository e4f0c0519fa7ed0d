// Entry point of the results panel webview (bundled to dist/media/results.js).
import { ResultsApp } from './results/app';
import { connectToHost } from './results/vscodeApi';

const root = document.getElementById('app');
if (root) new ResultsApp(root, connectToHost()).start();
