/**
 * The highlighter, bundled on its own (dist/webview/highlight.js) and loaded by
 * highlight-loader.ts only when the first code block is drawn, so the panel opens without it.
 * highlight.js core with the languages a class mostly writes; it hands its result to the page
 * through one global, and the page rebuilds it as elements (highlight-dom.ts), never as HTML.
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import plaintext from 'highlight.js/lib/languages/plaintext';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import scss from 'highlight.js/lib/languages/scss';
import sql from 'highlight.js/lib/languages/sql';
import swift from 'highlight.js/lib/languages/swift';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { HIGHLIGHTER_GLOBAL, type Highlighter } from './highlight-api';

const LANGUAGES = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, kotlin, markdown, php, plaintext, python, ruby, rust, scss, sql, swift, typescript, xml, yaml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

/** VS Code language ids that highlight.js knows by another name. */
const VSCODE_IDS: Record<string, string> = {
  typescriptreact: 'typescript',
  javascriptreact: 'javascript',
  shellscript: 'bash',
  sh: 'bash',
  jsonc: 'json',
  html: 'xml',
  text: 'plaintext',
  'c++': 'cpp',
  'c#': 'csharp',
  py: 'python',
  ts: 'typescript',
  js: 'javascript',
};

const highlighter: Highlighter = {
  highlight(code, language) {
    const name = VSCODE_IDS[language.toLowerCase()] ?? language.toLowerCase();
    if (!hljs.getLanguage(name)) return undefined;
    return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
  },
};

(globalThis as Record<string, unknown>)[HIGHLIGHTER_GLOBAL] = highlighter;
