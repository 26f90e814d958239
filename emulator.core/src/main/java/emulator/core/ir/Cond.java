package emulator.core.ir;

/** Comparison conditions of {@link Op#SETC} and {@link Op#BRC}-feeding compares. */
public enum Cond {
    EQ, NE, LT, LE, GT, GE, LTU, LEU, GTU, GEU;

    /** Evaluates on canonical values of the given type. */
    public boolean test(Type t, long a, long b) {
        if (t == Type.I32) { a = (int) a; b = (int) b; }
        return switch (this) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
            case LTU -> t == Type.I32 ? Integer.compareUnsigned((int) a, (int) b) < 0 : Long.compareUnsigned(a, b) < 0;
            case LEU -> t == Type.I32 ? Integer.compareUnsigned((int) a, (int) b) <= 0 : Long.compareUnsigned(a, b) <= 0;
            case GTU -> t == Type.I32 ? Integer.compareUnsigned((int) a, (int) b) > 0 : Long.compareUnsigned(a, b) > 0;
            case GEU -> t == Type.I32 ? Integer.compareUnsigned((int) a, (int) b) >= 0 : Long.compareUnsigned(a, b) >= 0;
        };
    }

    public Cond negate() {
        return switch (this) {
            case EQ -> NE; case NE -> EQ; case LT -> GE; case GE -> LT; case LE -> GT; case GT -> LE;
            case LTU -> GEU; case GEU -> LTU; case LEU -> GTU; case GTU -> LEU;
        };
    }
}
