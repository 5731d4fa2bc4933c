package org.quillfs.txn;

import java.util.List;

/**
 * The blocks an aborted deadlock victim had locked, with their modes and the page LSNs they had
 * when it gave them up (after its own changes were rolled back): what its replay takes again,
 * in block order, and checks for changes ({@link Transaction#relock}).
 */
public record ReadSet(List<PageLockManager.HeldLock> locks, long[] pageLsns) {
}
