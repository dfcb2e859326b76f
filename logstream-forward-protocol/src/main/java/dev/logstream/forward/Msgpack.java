package dev.logstream.forward;

/**
 * Reading msgpack headers straight from a byte array: the one place that knows the format bytes.
 *
 * <p>Every method assumes the bytes it reads are present; callers either checked with {@link
 * MsgpackScanner} first or check {@link #headerLength} against what they have.
 */
final class Msgpack {
  static final int NIL = 0xC0;
  static final int NEVER_USED = 0xC1;
  static final int FALSE = 0xC2;
  static final int TRUE = 0xC3;
  static final int BIN8 = 0xC4;
  static final int BIN16 = 0xC5;
  static final int BIN32 = 0xC6;
  static final int EXT8 = 0xC7;
  static final int EXT16 = 0xC8;
  static final int EXT32 = 0xC9;
  static final int FLOAT32 = 0xCA;
  static final int FLOAT64 = 0xCB;
  static final int UINT8 = 0xCC;
  static final int UINT16 = 0xCD;
  static final int UINT32 = 0xCE;
  static final int UINT64 = 0xCF;
  static final int INT8 = 0xD0;
  static final int INT16 = 0xD1;
  static final int INT32 = 0xD2;
  static final int INT64 = 0xD3;
  static final int FIXEXT1 = 0xD4;
  static final int FIXEXT16 = 0xD8;
  static final int FIXEXT8 = 0xD7;
  static final int STR8 = 0xD9;
  static final int STR16 = 0xDA;
  static final int STR32 = 0xDB;
  static final int ARRAY16 = 0xDC;
  static final int ARRAY32 = 0xDD;
  static final int MAP16 = 0xDE;
  static final int MAP32 = 0xDF;

  // Kinds, one per format byte: tables beat a switch on every header of every value.
  static final byte K_INT = 1;
  static final byte K_NIL = 2;
  static final byte K_BOOL = 3;
  static final byte K_FLOAT = 4;
  static final byte K_STR = 5;
  static final byte K_BIN = 6;
  static final byte K_EXT = 7;
  static final byte K_ARRAY = 8;
  static final byte K_MAP = 9;
  static final byte K_NEVER = 10;

  private static final byte[] KIND = new byte[256];
  private static final byte[] HEADER = new byte[256];

  static {
    for (int b = 0; b < 256; b++) {
      KIND[b] = kindOf(b);
      HEADER[b] = (byte) headerLengthOf(b);
    }
  }

  private Msgpack() {}

  private static byte kindOf(int b) {
    if (b <= 0x7F || b >= 0xE0 || (b >= UINT8 && b <= INT64)) {
      return K_INT;
    } else if (b <= 0x8F || b == MAP16 || b == MAP32) {
      return K_MAP;
    } else if (b <= 0x9F || b == ARRAY16 || b == ARRAY32) {
      return K_ARRAY;
    } else if (b <= 0xBF || b == STR8 || b == STR16 || b == STR32) {
      return K_STR;
    }
    return switch (b) {
      case NIL -> K_NIL;
      case FALSE, TRUE -> K_BOOL;
      case BIN8, BIN16, BIN32 -> K_BIN;
      case FLOAT32, FLOAT64 -> K_FLOAT;
      case NEVER_USED -> K_NEVER;
      default -> K_EXT;
    };
  }

  /** The kind of value a format byte starts. */
  static byte kind(int b) {
    return KIND[b];
  }

  /** Returns the header length (format byte, lengths, ext type) of the value starting with b. */
  static int headerLength(int b) {
    return HEADER[b];
  }

  private static int headerLengthOf(int b) {
    if (b <= 0xBF || b >= 0xE0) {
      return 1; // fixint, fixmap, fixarray, fixstr, negative fixint
    }
    return switch (b) {
      case NIL, NEVER_USED, FALSE, TRUE -> 1;
      case BIN8, STR8, UINT8, INT8 -> 2;
      case BIN16, STR16, UINT16, INT16, ARRAY16, MAP16 -> 3;
      case EXT8 -> 3;
      case BIN32, STR32, UINT32, INT32, FLOAT32, ARRAY32, MAP32 -> 5;
      case EXT16 -> 4;
      case EXT32 -> 6;
      case FLOAT64, UINT64, INT64 -> 9;
      default -> 2; // fixext 1..16: format byte and ext type
    };
  }

  /**
   * Returns the payload length after the header: string, binary and extension bytes, or the fixed
   * width of a number. Zero for containers, whose children follow.
   */
  static long payloadLength(byte[] buf, int pos, int b) {
    byte kind = KIND[b];
    if (kind != K_STR && kind != K_BIN && kind != K_EXT) {
      return 0;
    }
    if (b >= 0xA0 && b <= 0xBF) {
      return b & 0x1F;
    }
    return switch (b) {
      case BIN8, STR8 -> buf[pos + 1] & 0xFF;
      case BIN16, STR16 -> readUint16(buf, pos + 1);
      case BIN32, STR32 -> readUint32(buf, pos + 1);
      case EXT8 -> buf[pos + 1] & 0xFF;
      case EXT16 -> readUint16(buf, pos + 1);
      case EXT32 -> readUint32(buf, pos + 1);
      case 0xD4 -> 1;
      case 0xD5 -> 2;
      case 0xD6 -> 4;
      case FIXEXT8 -> 8;
      case FIXEXT16 -> 16;
      default -> 0; // numbers carry their bytes in the header; nil, booleans, containers
    };
  }

  /** Returns the element count of an array, or 0 if {@code b} does not start an array. */
  static long arrayLength(byte[] buf, int pos, int b) {
    if (b >= 0x90 && b <= 0x9F) {
      return b & 0x0F;
    }
    return switch (b) {
      case ARRAY16 -> readUint16(buf, pos + 1);
      case ARRAY32 -> readUint32(buf, pos + 1);
      default -> 0;
    };
  }

  /** Returns the pair count of a map, or 0 if {@code b} does not start a map. */
  static long mapLength(byte[] buf, int pos, int b) {
    if (b >= 0x80 && b <= 0x8F) {
      return b & 0x0F;
    }
    return switch (b) {
      case MAP16 -> readUint16(buf, pos + 1);
      case MAP32 -> readUint32(buf, pos + 1);
      default -> 0;
    };
  }

  static boolean isArray(int b) {
    return KIND[b] == K_ARRAY;
  }

  static boolean isMap(int b) {
    return KIND[b] == K_MAP;
  }

  static boolean isString(int b) {
    return KIND[b] == K_STR;
  }

  static boolean isBinary(int b) {
    return KIND[b] == K_BIN;
  }

  static boolean isInteger(int b) {
    return KIND[b] == K_INT;
  }

  static boolean isExtension(int b) {
    return KIND[b] == K_EXT;
  }

  static boolean isFloat(int b) {
    return KIND[b] == K_FLOAT;
  }

  /** The extension type byte of an ext value starting at pos. */
  static byte extensionType(byte[] buf, int pos, int b) {
    return buf[pos + headerLength(b) - 1];
  }

  /** Reads a signed integer; {@link #isUint64Above(byte[], int, int)} tells when it is unsigned. */
  static long readInteger(byte[] buf, int pos, int b) {
    if (b <= 0x7F) {
      return b;
    }
    if (b >= 0xE0) {
      return (byte) b;
    }
    return switch (b) {
      case UINT8 -> buf[pos + 1] & 0xFF;
      case UINT16 -> readUint16(buf, pos + 1);
      case UINT32 -> readUint32(buf, pos + 1);
      case UINT64, INT64 -> readLong(buf, pos + 1);
      case INT8 -> buf[pos + 1];
      case INT16 -> (short) readUint16(buf, pos + 1);
      case INT32 -> readInt(buf, pos + 1);
      default -> throw new IllegalArgumentException("not an integer: " + b);
    };
  }

  /** True for a uint64 whose value does not fit a signed long. */
  static boolean isUint64Above(byte[] buf, int pos, int b) {
    return b == UINT64 && buf[pos + 1] < 0;
  }

  static int readUint16(byte[] buf, int pos) {
    return (buf[pos] & 0xFF) << 8 | (buf[pos + 1] & 0xFF);
  }

  static long readUint32(byte[] buf, int pos) {
    return readInt(buf, pos) & 0xFFFF_FFFFL;
  }

  static int readInt(byte[] buf, int pos) {
    return (buf[pos] & 0xFF) << 24
        | (buf[pos + 1] & 0xFF) << 16
        | (buf[pos + 2] & 0xFF) << 8
        | (buf[pos + 3] & 0xFF);
  }

  static long readLong(byte[] buf, int pos) {
    return (long) readInt(buf, pos) << 32 | readUint32(buf, pos + 4);
  }

  /**
   * Returns the end of the value starting at {@code pos}. The value must be complete and valid
   * (checked by {@link MsgpackScanner}); nesting is followed with a counter, not recursion.
   */
  static int skip(byte[] buf, int pos) {
    long pending = 1;
    while (pending > 0) {
      int b = buf[pos] & 0xFF;
      pending--;
      if (isArray(b)) {
        pending += arrayLength(buf, pos, b);
      } else if (isMap(b)) {
        pending += 2 * mapLength(buf, pos, b);
      }
      pos += headerLength(b) + (int) payloadLength(buf, pos, b);
    }
    return pos;
  }

  /** Names a format byte for error messages: {@code map}, {@code str}, {@code int}, ... */
  static String typeName(int b) {
    if (isMap(b)) {
      return "map";
    } else if (isArray(b)) {
      return "array";
    } else if (isString(b)) {
      return "str";
    } else if (isBinary(b)) {
      return "bin";
    } else if (isInteger(b)) {
      return "int";
    } else if (isFloat(b)) {
      return "float";
    } else if (isExtension(b)) {
      return "ext";
    } else if (b == NIL) {
      return "nil";
    } else if (b == TRUE || b == FALSE) {
      return "bool";
    }
    return String.format("invalid byte 0x%02x", b);
  }
}
