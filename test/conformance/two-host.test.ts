import { describeArea } from '../support/area-tests.ts';

describeArea('two-host');
