// The adapter between the debugger and the widget library: the only file that imports blessed. The app sees a
// terminal of panes (boxes with a border and a title, filled with styled lines), keys, mouse clicks and resizes;
// swapping the library means rewriting this file only.

import blessed from 'blessed';
import type { Line, Seg } from './styled.js';

export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface Pane {
  /** Place it; a zero-sized rectangle hides it. */
  place(r: Rect): void;
  setTitle(title: string, focused: boolean): void;
  /** Fill the inside (border excluded) with these lines. */
  setLines(lines: readonly Line[]): void;
  /** Inside size: the lines and columns a view may fill. */
  readonly inner: { readonly width: number; readonly height: number };
}

export interface Key {
  /** The key's name: 'a', 'S', 'space', 'tab', 'enter', 'up', 'C-c', ... */
  readonly name: string;
  /** The character it types, if any. */
  readonly ch?: string;
}

export interface Terminal {
  readonly cols: number;
  readonly rows: number;
  pane(name: string, framed?: boolean): Pane;
  onKey(fn: (key: Key) => void): void;
  /** A click at a screen position (column, row). */
  onClick(fn: (x: number, y: number) => void): void;
  onResize(fn: () => void): void;
  render(): void;
  /** Leave the terminal as it was found (normal screen, cursor shown, modes reset). */
  destroy(): void;
}

export interface TerminalOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Terminal type (default: $TERM, else xterm-256color). */
  readonly terminal?: string;
  /** No colours (NO_COLOR): bold and inverse only. */
  readonly noColor?: boolean;
}

export function openTerminal(options: TerminalOptions): Terminal {
  const screen = blessed.screen({
    input: options.input as never,
    output: options.output as never,
    terminal: options.terminal ?? (process.env.TERM || 'xterm-256color'),
    fullUnicode: true,
    // Box-drawing characters as Unicode, never the terminal's alternate character set (which some terminals and
    // multiplexers show as letters).
    forceUnicode: true,
    warnings: false,
    smartCSR: true,
    autoPadding: false,
    dockBorders: false,
    sendFocus: false,
    title: 'occmesh debug',
  });
  // Draw box-drawing characters as themselves: never switch to the alternate character set for them.
  (screen as unknown as { tput: { brokenACS: boolean } }).tput.brokenACS = true;
  const noColor = options.noColor ?? false;
  let clickFn: ((x: number, y: number) => void) | null = null;
  screen.on('mouse', (data: { action: string; x: number; y: number }) => {
    if (data.action === 'mousedown') clickFn?.(data.x, data.y);
  });
  screen.enableMouse();

  const tag = (s: Seg): string => {
    let text = blessed.escape(s.text);
    const open: string[] = [];
    if (!noColor && s.fg) open.push(s.fg === 'gray' ? 'grey-fg' : `${s.fg}-fg`);
    if (!noColor && s.bg) open.push(s.bg === 'gray' ? 'grey-bg' : `${s.bg}-bg`);
    if (s.bold) open.push('bold');
    if (s.inverse) open.push('inverse');
    if (open.length === 0) return text;
    text =
      open.map((o) => `{${o}}`).join('') +
      text +
      open
        .map((o) => `{/${o}}`)
        .reverse()
        .join('');
    return text;
  };

  return {
    get cols() {
      return screen.width as number;
    },
    get rows() {
      return screen.height as number;
    },
    pane(name: string, framed = true): Pane {
      const box = blessed.box({
        parent: screen,
        name,
        tags: true,
        wrap: false,
        border: framed ? { type: 'line' } : undefined,
        style: { border: { fg: noColor ? undefined : 'grey' } } as never,
        top: 0,
        left: 0,
        width: 1,
        height: 1,
      });
      let inner = { width: 0, height: 0 };
      let outerWidth = 0;
      return {
        place(r: Rect) {
          if (r.width <= 0 || r.height <= 0) {
            box.hide();
            inner = { width: 0, height: 0 };
            return;
          }
          box.show();
          outerWidth = r.width;
          box.left = r.left;
          box.top = r.top;
          box.width = r.width;
          box.height = r.height;
          const b = framed ? 2 : 0;
          inner = { width: Math.max(0, r.width - b), height: Math.max(0, r.height - b) };
        },
        setTitle(title: string, focused: boolean) {
          if (!framed) return;
          // A title longer than the border keeps its end (a path's file name).
          const room = Math.max(1, outerWidth - 6);
          if (title.length > room) title = '…' + title.slice(title.length - room + 1);
          box.setLabel(focused ? `{bold}[ ${blessed.escape(title)} ]{/bold}` : ` ${blessed.escape(title)} `);
          (box.style as { border: { fg?: string } }).border.fg = noColor ? undefined : focused ? 'white' : 'grey';
        },
        setLines(lines: readonly Line[]) {
          box.setContent(lines.map((l) => l.map(tag).join('')).join('\n'));
        },
        get inner() {
          return inner;
        },
      };
    },
    onKey(fn) {
      screen.on('keypress', (ch: string | undefined, key: { full?: string; name?: string } | undefined) => {
        const name = key?.full ?? key?.name ?? ch ?? '';
        fn(ch !== undefined && ch.length === 1 && ch >= ' ' && ch !== '\x7f' ? { name, ch } : { name });
      });
    },
    onClick(fn) {
      clickFn = fn;
    },
    onResize(fn) {
      screen.on('resize', fn);
    },
    render() {
      screen.render();
    },
    destroy() {
      screen.destroy();
    },
  };
}
