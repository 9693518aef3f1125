import { MemoryStore } from '../../helpers/memory-store';
import { storeSuite } from './store-suite';

// The in-memory test store must honour the same contract as the embedded one.
storeSuite('MemoryStore', () => new MemoryStore(), { persistent: false });
