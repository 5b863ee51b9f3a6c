#ifndef PEERSCOPE_CNCURSES_SHIM_H
#define PEERSCOPE_CNCURSES_SHIM_H

/* The wide-character API must be requested here: SwiftPM drops the -D flags
   that ncursesw.pc would add. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* Swift cannot see function-like macros or macros that expand to expressions,
   and Swift 6 rejects ncurses' mutable globals (stdscr, LINES, COLS). These
   inline accessors give the UI backend everything it needs as plain functions. */
static inline WINDOW *ps_stdscr(void) { return stdscr; }
static inline int ps_lines(void) { return LINES; }
static inline int ps_cols(void) { return COLS; }
static inline int ps_color_pairs(void) { return COLOR_PAIRS; }
static inline int ps_colors(void) { return COLORS; }
static inline int ps_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int ps_a_normal(void) { return (int)A_NORMAL; }
static inline int ps_a_bold(void) { return (int)A_BOLD; }
static inline int ps_a_reverse(void) { return (int)A_REVERSE; }
static inline int ps_a_dim(void) { return (int)A_DIM; }
static inline int ps_a_underline(void) { return (int)A_UNDERLINE; }
static inline void ps_getmaxyx(WINDOW *w, int *y, int *x) { getmaxyx(w, *y, *x); }
static inline int ps_attr_set(WINDOW *w, int a, short pair) { return wattr_set(w, (attr_t)a, pair, NULL); }
static inline void ps_setlocale_all(void) { setlocale(LC_ALL, ""); }

/* newterm instead of initscr: initscr exits the process when TERM names no terminfo entry,
   newterm returns NULL so the caller can report it. stdin/stdout are C globals Swift 6 rejects. */
static inline SCREEN *ps_newterm_stdio(const char *term) { return newterm(term, stdout, stdin); }
/* The locale's character set after setlocale, e.g. "UTF-8" or "ANSI_X3.4-1968". */
static inline const char *ps_codeset(void) { return nl_langinfo(CODESET); }
/* Columns the C library (and so ncurses) gives a character; -1 when it cannot be printed. */
int wcwidth(wchar_t c);
static inline int ps_wcwidth(int c) { return wcwidth((wchar_t)c); }
static inline WINDOW *ps_curscr(void) { return curscr; }

#endif
