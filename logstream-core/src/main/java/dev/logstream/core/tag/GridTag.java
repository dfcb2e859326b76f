package dev.logstream.core.tag;

import java.util.Objects;

/**
 * A parsed grid log tag: {@code <prefix>.<manifest-id>:<app-id>}, e.g. {@code
 * grid.devel/www-data/redis-test:devel/www-data/redis-test}.
 *
 * <p>Valid by construction: the ids are {@link GridId}s and the prefix is checked here, so {@link
 * #format()} always yields a tag that {@link TagCodec#parse} (configured with the same prefix)
 * reads back to an equal value.
 *
 * @param prefix one or more {@code .}-separated words of {@code [A-Za-z0-9_-]}, e.g. {@code grid}
 * @param manifestId the manifest id
 * @param appId the app id
 */
public record GridTag(String prefix, GridId manifestId, GridId appId) {

  /**
   * Checks the prefix; the ids are valid already.
   *
   * @param prefix one or more {@code .}-separated words of {@code [A-Za-z0-9_-]}, at most 64
   *     characters
   * @param manifestId the manifest id
   * @param appId the app id
   * @throws InvalidTagException if the prefix breaks the grammar; the message names it as {@code
   *     tag prefix}
   */
  public GridTag {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(manifestId, "manifestId");
    Objects.requireNonNull(appId, "appId");
    String problem = TagGrammar.prefixProblem("tag prefix", prefix);
    if (problem != null) {
      throw new InvalidTagException(problem);
    }
  }

  /**
   * Returns the tag as Docker sends it and Kinesis records carry it.
   *
   * @return {@code <prefix>.<manifest-id>:<app-id>}
   */
  public String format() {
    return prefix + "." + manifestId + ":" + appId;
  }
}
