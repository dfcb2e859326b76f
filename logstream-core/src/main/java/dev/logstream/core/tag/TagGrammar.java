package dev.logstream.core.tag;

/**
 * The character rules and length limits of the tag grammar, and the wording of every message.
 *
 * <p>Checks return {@code null} when the input is valid and the message otherwise, so the ingest
 * path can reject garbage without paying for an exception (and its stack trace) per distinct tag.
 * The strict API turns a message into an {@link InvalidTagException}; the builder into an {@link
 * IllegalArgumentException}.
 */
final class TagGrammar {

  /** Longest role, env or name. */
  static final int MAX_SEGMENT_LENGTH = 64;

  /** Longest prefix. */
  static final int MAX_PREFIX_LENGTH = 64;

  /** Longest {@code role/env/name}: three full segments and two slashes. */
  static final int MAX_ID_LENGTH = 3 * MAX_SEGMENT_LENGTH + 2;

  /** Longest valid tag: prefix, dot, id, colon, id. */
  static final int MAX_TAG_LENGTH = MAX_PREFIX_LENGTH + 1 + MAX_ID_LENGTH + 1 + MAX_ID_LENGTH;

  static final String TAG_SHAPE = "'<prefix>.<manifest-id>:<app-id>'";

  private static final String[] SEGMENT_NAMES = {"role", "env", "name"};

  /** Values longer than this are shortened in messages: a message is not a dump of the input. */
  private static final int MESSAGE_VALUE_HEAD = 32;

  private TagGrammar() {}

  /** A word character: ASCII letter or digit, {@code -} or {@code _}. */
  static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '_';
  }

  static boolean isSegmentChar(char c) {
    return isWordChar(c) || c == '.';
  }

  /**
   * Checks a prefix: one or more {@code .}-separated words.
   *
   * @param what how the message names the value, e.g. {@code prefix}
   */
  static String prefixProblem(String what, String prefix) {
    if (prefix.length() > MAX_PREFIX_LENGTH) {
      return tooLong(what, prefix, MAX_PREFIX_LENGTH);
    }
    boolean wordStart = true;
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (c == '.') {
        if (wordStart) {
          return prefixShape(what, prefix);
        }
        wordStart = true;
      } else if (isWordChar(c)) {
        wordStart = false;
      } else {
        return what
            + " '"
            + prefix
            + "' contains "
            + describe(prefix.codePointAt(i))
            + " (allowed: letters, digits, '-', '_', and '.' between words)";
      }
    }
    // covers the empty prefix and a trailing dot
    return wordStart ? prefixShape(what, prefix) : null;
  }

  private static String prefixShape(String what, String prefix) {
    return what
        + " '"
        + prefix
        + "' must be one or more '.'-separated words of letters, digits, '-' and '_'";
  }

  /**
   * Parses {@code role/env/name}.
   *
   * @param part how messages name the id: {@code id}, {@code manifest-id} or {@code app-id}
   */
  static Parsed<GridId> parseId(String part, String id) {
    if (id.length() > MAX_ID_LENGTH) {
      return Parsed.problem(tooLong(part, id, MAX_ID_LENGTH));
    }
    int first = id.indexOf('/');
    int second = first < 0 ? -1 : id.indexOf('/', first + 1);
    if (second < 0 || id.indexOf('/', second + 1) >= 0) {
      return Parsed.problem(part + " '" + id + "' must have 3 segments role/env/name");
    }
    String role = id.substring(0, first);
    String env = id.substring(first + 1, second);
    String name = id.substring(second + 1);
    String problem = segmentsProblem(part, id, role, env, name);
    return problem != null ? Parsed.problem(problem) : Parsed.of(new GridId(role, env, name));
  }

  /**
   * Checks the three segments of an id.
   *
   * @param id the whole id as the caller wrote it, for messages; {@code null} to build it from the
   *     segments only when there is a problem
   */
  static String segmentsProblem(String part, String id, String role, String env, String name) {
    String[] segments = {role, env, name};
    for (int i = 0; i < segments.length; i++) {
      String problem = segmentProblem(segments[i]);
      if (problem != null) {
        String whole = id != null ? id : role + "/" + env + "/" + name;
        return part + " segment '" + SEGMENT_NAMES[i] + "' of '" + whole + "' " + problem;
      }
    }
    return null;
  }

  private static String segmentProblem(String segment) {
    if (segment.isEmpty()) {
      return "is empty";
    }
    if (segment.length() > MAX_SEGMENT_LENGTH) {
      return "is "
          + segment.length()
          + " characters, longer than the maximum of "
          + MAX_SEGMENT_LENGTH;
    }
    if (segment.equals(".") || segment.equals("..")) {
      return "must not be '.' or '..'";
    }
    for (int i = 0; i < segment.length(); i++) {
      if (!isSegmentChar(segment.charAt(i))) {
        return "contains "
            + describe(segment.codePointAt(i))
            + " (allowed: letters, digits, '-', '_', '.')";
      }
    }
    return null;
  }

  /**
   * Parses a whole tag against the configured prefix. Never throws for a non-null tag.
   *
   * @param prefix the configured prefix, already valid
   */
  static Parsed<GridTag> parseTag(String prefix, String tag) {
    if (tag.length() > MAX_TAG_LENGTH) {
      return Parsed.problem(tooLong("tag", tag, MAX_TAG_LENGTH));
    }
    int colon = tag.indexOf(':');
    if (colon < 0 || tag.indexOf(':', colon + 1) >= 0) {
      return Parsed.problem(shape(tag));
    }
    String head = tag.substring(0, colon);
    if (!head.startsWith(prefix)
        || head.length() == prefix.length()
        || head.charAt(prefix.length()) != '.') {
      return Parsed.problem(prefixMismatch(prefix, tag, head));
    }
    Parsed<GridId> manifestId = parseId("manifest-id", head.substring(prefix.length() + 1));
    if (manifestId.problem() != null) {
      return Parsed.problem(manifestId.problem());
    }
    Parsed<GridId> appId = parseId("app-id", tag.substring(colon + 1));
    if (appId.problem() != null) {
      return Parsed.problem(appId.problem());
    }
    return Parsed.of(new GridTag(prefix, manifestId.value(), appId.value()));
  }

  /**
   * Explains a head that does not start with the configured prefix. The prefix the caller probably
   * meant is everything before the last {@code .} that precedes the first {@code /}; if there is no
   * such dot the tag does not have the tag shape at all.
   */
  private static String prefixMismatch(String prefix, String tag, String head) {
    int slash = head.indexOf('/');
    int dot = head.lastIndexOf('.', (slash < 0 ? head.length() : slash) - 1);
    if (dot <= 0) {
      return shape(tag);
    }
    return "tag prefix '"
        + head.substring(0, dot)
        + "' does not match the configured prefix '"
        + prefix
        + "'";
  }

  private static String shape(String tag) {
    return "tag '" + tag + "' must be " + TAG_SHAPE;
  }

  static String tooLong(String what, String value, int max) {
    return what
        + " '"
        + value.substring(0, Math.min(value.length(), MESSAGE_VALUE_HEAD))
        + "...' is "
        + value.length()
        + " characters, longer than the maximum of "
        + max;
  }

  /**
   * Printable ASCII quoted as itself; anything else as {@code U+XXXX} so messages stay readable.
   */
  static String describe(int codePoint) {
    if (codePoint >= 0x20 && codePoint < 0x7f) {
      return "'" + (char) codePoint + "'";
    }
    return String.format("U+%04X", codePoint);
  }

  /** A parse result: the value, or the message saying why there is none. */
  record Parsed<T>(T value, String problem) {
    static <T> Parsed<T> of(T value) {
      return new Parsed<>(value, null);
    }

    static <T> Parsed<T> problem(String problem) {
      return new Parsed<>(null, problem);
    }

    T orThrow() {
      if (problem != null) {
        throw new InvalidTagException(problem);
      }
      return value;
    }
  }
}
