/**
 * The parameter server: a BSP task of a Horn job that holds the master weights and takes
 * asynchronous pushes from task groups, and the IPC plumbing both sides use.
 */
package io.horn.paramserver;
