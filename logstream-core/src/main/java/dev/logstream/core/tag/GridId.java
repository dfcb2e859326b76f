package dev.logstream.core.tag;

import java.util.Objects;

/**
 * A grid manifest id or app id: {@code role/env/name}, e.g. {@code devel/www-data/redis-test}.
 *
 * <p>Each segment is 1 to 64 ASCII letters, digits, {@code -}, {@code _} or {@code .}, and is
 * neither {@code .} nor {@code ..} (see the grammar on {@link TagCodec}). A {@code GridId} that
 * exists is always valid, so {@link TagCodec#format} cannot fail on it.
 *
 * @param role the first segment
 * @param env the second segment, the environment
 * @param name the third segment, the application or manifest name
 */
public record GridId(String role, String env, String name) {

  /**
   * Checks every segment against the grammar.
   *
   * @param role the first segment
   * @param env the second segment
   * @param name the third segment
   * @throws InvalidTagException if a segment is empty, {@code .} or {@code ..}, longer than 64
   *     characters or contains a character outside {@code [A-Za-z0-9._-]}; the message names the
   *     segment, e.g. {@code id segment 'env' of 'devel/www data/x' contains ' ' (allowed: letters,
   *     digits, '-', '_', '.')}
   */
  public GridId {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(name, "name");
    String problem = TagGrammar.segmentsProblem("id", null, role, env, name);
    if (problem != null) {
      throw new InvalidTagException(problem);
    }
  }

  /**
   * Parses {@code role/env/name}.
   *
   * @param id exactly three {@code /}-separated segments
   * @return the id
   * @throws InvalidTagException if {@code id} does not follow the grammar, e.g. {@code id
   *     'devel/www-data' must have 3 segments role/env/name}
   */
  public static GridId parse(String id) {
    Objects.requireNonNull(id, "id");
    return TagGrammar.parseId("id", id).orThrow();
  }

  /**
   * Returns the id as written in a tag.
   *
   * @return {@code role/env/name}
   */
  @Override
  public String toString() {
    return role + "/" + env + "/" + name;
  }
}
