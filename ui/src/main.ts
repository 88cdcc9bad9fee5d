import { mount } from 'svelte';
// Noto Sans, bundled: every Vietnamese letter renders the same on every phone and desktop.
import '@fontsource/noto-sans/latin-400.css';
import '@fontsource/noto-sans/latin-600.css';
import '@fontsource/noto-sans/latin-700.css';
import '@fontsource/noto-sans/vietnamese-400.css';
import '@fontsource/noto-sans/vietnamese-600.css';
import '@fontsource/noto-sans/vietnamese-700.css';
import './app.css';
import { setupI18n } from './lib/i18n';
import App from './App.svelte';

setupI18n();
mount(App, { target: document.getElementById('app')! });
