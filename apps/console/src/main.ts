import { runService } from '@mlp/service-kit';
import { AppModule } from './app/app.module';
import { service } from './service';

void runService(service, AppModule);
