// Entry point of the results panel webview (bundled to dist/media/results.js).
import { Formatter } from '../src/core/format';
import { ResultsApp } from './results/app';
import { connectToHost } from './results/vscodeApi';

const root = document.getElementById('app');
// The host writes vscode.env.language into <html lang>: numbers and dates read as in VS Code.
if (root) new ResultsApp(root, connectToHost(), new Formatter({ locale: document.documentElement.lang })).start();
