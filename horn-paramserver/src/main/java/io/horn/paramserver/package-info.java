/**
 * The parameter server: a BSP task of a Horn job that holds the master weights and takes
 * asynchronous pushes from task groups ({@link io.horn.paramserver.ParameterServer}), served over
 * authenticated TCP ({@link io.horn.paramserver.ServerEndpoint}) to the groups' leaders ({@link
 * io.horn.paramserver.ParameterServerClient}); the group collectives live in the {@code
 * collective} package.
 */
package io.horn.paramserver;
