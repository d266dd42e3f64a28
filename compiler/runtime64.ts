// The runtime library for checked INT64 multiplication and division, written in occam and compiled with the
// program when it uses them (the T800 has no 64-bit multiply or divide; occ21 calls library routines too). The
// routines use only operations that cannot fail (PLUS, MINUS, TIMES, shifts, comparisons): the callers check for
// division by zero before the call and for a multiplication's overflow flag after it, so every run-time error is
// reported at the user's expression.

// The driver (compile.ts) parses and checks it the first time a program needs it.

export const RUNTIME64_SOURCE = String.raw`
PROC occmesh.mul64 (VAL INT64 a, VAL INT64 b, INT64 r, INT overflow)
  VAL INT64 zero IS 0(INT64):
  VAL INT64 mask IS #FFFFFFFF(INT64):
  VAL INT64 top IS MOSTNEG INT64:
  INT64 ua, ub, ah, al, bh, bl, cross, low, p:
  BOOL neg:
  SEQ
    neg := (a < zero) <> (b < zero)
    IF
      a < zero
        ua := zero MINUS a
      TRUE
        ua := a
    IF
      b < zero
        ub := zero MINUS b
      TRUE
        ub := b
    ah := ua >> 32
    al := ua /\ mask
    bh := ub >> 32
    bl := ub /\ mask
    overflow := 0
    IF
      (ah <> zero) AND (bh <> zero)
        overflow := 1
      TRUE
        SEQ
          cross := (ah TIMES bl) PLUS (al TIMES bh)
          low := al TIMES bl
          p := (cross << 32) PLUS low
          IF
            (cross >> 32) <> zero
              overflow := 1
            (p >< top) < (low >< top)
              overflow := 1
            neg AND (p < zero) AND (p <> top)
              overflow := 1
            (NOT neg) AND (p < zero)
              overflow := 1
            neg
              r := zero MINUS p
            TRUE
              r := p
:
PROC occmesh.div64 (VAL INT64 a, VAL INT64 b, INT64 q, INT64 r)
  VAL INT64 zero IS 0(INT64):
  VAL INT64 one IS 1(INT64):
  VAL INT64 top IS MOSTNEG INT64:
  INT64 ua, ub, uq, ur:
  SEQ
    IF
      a < zero
        ua := zero MINUS a
      TRUE
        ua := a
    IF
      b < zero
        ub := zero MINUS b
      TRUE
        ub := b
    uq := zero
    ur := zero
    SEQ i = 0 FOR 64
      VAL INT s IS 63 MINUS i:
      SEQ
        ur := (ur << 1) \/ ((ua >> s) /\ one)
        IF
          (ur >< top) >= (ub >< top)
            SEQ
              ur := ur MINUS ub
              uq := uq \/ (one << s)
          TRUE
            SKIP
    IF
      (a < zero) <> (b < zero)
        q := zero MINUS uq
      TRUE
        q := uq
    IF
      a < zero
        r := zero MINUS ur
      TRUE
        r := ur
:
PROC occmesh.runtime ()
  SKIP
:
`;
