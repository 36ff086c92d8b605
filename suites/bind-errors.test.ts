import { describeArea } from './area-tests.ts';

describeArea('bind-errors');
