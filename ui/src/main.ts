import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { api } from './api';

// When the bundled script ran, on the page's clock (ms since the web view started loading it).
const scriptStart = performance.now();

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
const app = mount(App, { target });

// Tell the shell when the first frame is on screen (two frames later it surely is), for the
// start-up benchmark's "start to first paint".
requestAnimationFrame(() => requestAnimationFrame(() => void api.uiPainted(scriptStart, performance.now()).catch(() => {})));

export default app;
