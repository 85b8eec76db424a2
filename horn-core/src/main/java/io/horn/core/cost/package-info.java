/** Cost functions; each can fuse with the output activation it pairs with. */
package io.horn.core.cost;
