/**
 * Training and test data as text: CSV (a label column and feature columns) and LibSVM ({@code
 * label index:value ...}) lines, parsed into samples with one-hot targets. The files themselves
 * are opened elsewhere (horn-bsp reads them locally or from HDFS, and splits them over Hama's
 * workers at line boundaries); this package only knows lines. docs/data-formats.md describes the
 * formats and their options.
 */
package io.horn.core.data.text;
