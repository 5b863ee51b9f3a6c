#ifndef PEERSCOPE_CNCURSES_SHIM_H
#define PEERSCOPE_CNCURSES_SHIM_H

/* The wide-character API must be requested here: SwiftPM drops the -D flags
   that ncursesw.pc would add. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
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

#endif
