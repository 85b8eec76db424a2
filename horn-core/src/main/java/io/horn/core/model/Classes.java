package io.horn.core.model;

/** Loads and instantiates the classes named in specs, with errors that name the class. */
public final class Classes {
  private Classes() {}

  /** Loads {@code name} as a subtype of {@code type}, or fails naming the class and the type. */
  public static <T> Class<? extends T> load(String name, Class<T> type, ClassLoader loader) {
    Class<?> c;
    try {
      // Not initialised here: a name read from a file must not run a class's static code
      // before its type is checked (instantiate() initialises the classes that pass).
      c = Class.forName(name, false, loader != null ? loader : Classes.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException(
          "unknown " + type.getSimpleName() + " class '" + name + "'", e);
    }
    if (!type.isAssignableFrom(c)) {
      throw new IllegalArgumentException(
          "class '" + name + "' is not a " + type.getSimpleName());
    }
    return c.asSubclass(type);
  }

  /** A new instance through the public no-argument constructor, or a clear error. */
  public static <T> T instantiate(Class<T> c) {
    try {
      return c.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalArgumentException("cannot instantiate " + c.getName()
          + ": it needs a public no-argument constructor (" + e + ")", e);
    }
  }
}
